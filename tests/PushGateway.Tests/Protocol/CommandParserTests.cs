using System.Text;
using PushGateway.Protocol;

namespace PushGateway.Tests.Protocol;

public class CommandParserTests
{
    private static (ClientCommand? Command, ProtocolError? Error) Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    private static (ClientCommand? Command, ProtocolError? Error) Parse(byte[] bytes)
    {
        CommandParser.TryParse(bytes, out var command, out var error);
        return (command, error);
    }

    [Fact]
    public void Parses_a_subscribe_with_numeric_id()
    {
        var (command, error) = Parse("""{"type":"subscribe","id":1,"topic":"fx.EURUSD"}""");
        Assert.Null(error);
        Assert.Equal("subscribe", command!.Type);
        Assert.Equal("fx.EURUSD", command.Topic);
        Assert.Equal("1", Encoding.UTF8.GetString(command.RawId!));
    }

    [Fact]
    public void Keeps_a_string_id_verbatim_with_its_escapes()
    {
        var (command, _) = Parse("""{"id":"a\"b","type":"ping"}""");
        Assert.Equal("\"a\\\"b\"", Encoding.UTF8.GetString(command!.RawId!));
    }

    [Fact]
    public void Ignores_unknown_fields_of_any_shape()
    {
        var (command, error) = Parse("""{"type":"ping","future":{"a":[1,2,{"b":null}]},"x":true,"id":7}""");
        Assert.Null(error);
        Assert.Equal("ping", command!.Type);
    }

    [Theory]
    [InlineData("{", ErrorCodes.InvalidJson)]
    [InlineData("", ErrorCodes.InvalidJson)]
    [InlineData("{\"type\":\"ping\"} x", ErrorCodes.InvalidJson)]
    [InlineData("{\"type\":\"ping\",}", ErrorCodes.InvalidJson)]
    [InlineData("[1,2]", ErrorCodes.InvalidCommand)]
    [InlineData("\"ping\"", ErrorCodes.InvalidCommand)]
    [InlineData("null", ErrorCodes.InvalidCommand)]
    [InlineData("{\"type\":1}", ErrorCodes.InvalidCommand)]
    [InlineData("{\"type\":\"subscribe\",\"topic\":5}", ErrorCodes.InvalidCommand)]
    [InlineData("{\"type\":\"ping\",\"id\":{}}", ErrorCodes.InvalidCommand)]
    [InlineData("{\"type\":\"ping\",\"id\":true}", ErrorCodes.InvalidCommand)]
    [InlineData("{\"id\":1}", ErrorCodes.MissingType)]
    [InlineData("{}", ErrorCodes.MissingType)]
    public void Reports_what_is_wrong(string json, string code) => Assert.Equal(code, Parse(json).Error!.Code);

    [Fact]
    public void Echoes_the_id_in_errors_once_it_was_read()
    {
        var (_, error) = Parse("""{"id":42,"type":7}""");
        Assert.Equal("42", Encoding.UTF8.GetString(error!.RawId!));
    }

    [Fact]
    public void Refuses_invalid_utf8()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"type\":\"ping\",\"x\":\"..\"}");
        bytes[^3] = 0xC3;
        bytes[^4] = 0xFF;
        Assert.Equal(ErrorCodes.InvalidJson, Parse(bytes).Error!.Code);
    }

    [Fact]
    public void Refuses_deep_nesting_without_recursing_far()
    {
        var deep = "{\"type\":\"ping\",\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}";
        Assert.Equal(ErrorCodes.InvalidJson, Parse(deep).Error!.Code);
    }

    [Fact]
    public void Refuses_overlong_ids_because_they_are_echoed()
    {
        var (_, error) = Parse("{\"type\":\"ping\",\"id\":\"" + new string('x', CommandParser.MaxIdLength + 1) + "\"}");
        Assert.Equal(ErrorCodes.InvalidCommand, error!.Code);
    }
}

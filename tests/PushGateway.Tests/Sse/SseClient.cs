using System.Net;
using System.Text.Json;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Sse;

/// <summary>One block of a text/event-stream, as EventSource parses it; <see cref="Data"/> is null for a block without data (comments, retry).</summary>
public sealed record SseBlock(string Event, string? Id, string? Data, int? Retry, IReadOnlyList<string> Comments)
{
    public JsonElement Json => JsonDocument.Parse(Data!).RootElement;
}

/// <summary>
/// An EventSource stand-in over real HTTP: GET /sse with the response streamed
/// (ResponseHeadersRead), parsed line by line, keeping the last id as a browser does. Every read is bounded.
/// </summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly HttpClient http;
    private readonly HttpResponseMessage response;
    private readonly StreamReader reader;

    private SseClient(HttpClient http, HttpResponseMessage response, StreamReader reader)
    {
        this.http = http;
        this.response = response;
        this.reader = reader;
    }

    public HttpResponseMessage Response => response;

    /// <summary>What EventSource would send as Last-Event-ID on its next reconnect.</summary>
    public string? LastEventId { get; private set; }

    public static async Task<SseClient> ConnectAsync(GatewayNode node, string query, string? lastEventId = null, Action<HttpRequestMessage>? configure = null)
    {
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var request = Request(node, query, lastEventId, configure);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).Within();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await response.Content.ReadAsStringAsync().Within();
            http.Dispose();
            throw new InvalidOperationException($"GET /sse?{query} answered {(int)response.StatusCode}: {body}");
        }
        var stream = await response.Content.ReadAsStreamAsync().Within();
        return new SseClient(http, response, new StreamReader(stream)) { LastEventId = lastEventId };
    }

    /// <summary>For refusals: the status and the plain-text body of a GET /sse.</summary>
    public static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> RefusalAsync(GatewayNode node, string query, Action<HttpRequestMessage>? configure = null)
    {
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var response = await http.SendAsync(Request(node, query, null, configure)).Within();
        return (response.StatusCode, await response.Content.ReadAsStringAsync().Within(), response);
    }

    /// <summary>The next block with data (messages, gaps), skipping keepalives; null when the stream ended.</summary>
    public async Task<SseBlock?> ReadEventAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            var block = await ReadBlockAsync(timeout);
            if (block is null || block.Data is not null) return block;
        }
    }

    /// <summary>The next `event: message`, parsed; fails on anything else.</summary>
    public async Task<(SseBlock Block, JsonElement Message)> ReadMessageAsync()
    {
        var block = await ReadEventAsync() ?? throw new InvalidOperationException("the stream ended");
        Assert.Equal("message", block.Event);
        return (block, block.Json);
    }

    /// <summary>The next block of any kind, comments included; null when the stream ended.</summary>
    public async Task<SseBlock?> ReadBlockAsync(TimeSpan? timeout = null)
    {
        string eventName = "message";
        string? id = null;
        string? data = null;
        int? retry = null;
        var comments = new List<string>();
        while (true)
        {
            var line = await reader.ReadLineAsync().Within(timeout);
            if (line is null) return null;
            if (line.Length == 0)
            {
                if (data is null && id is null && retry is null && comments.Count == 0) continue;
                return new SseBlock(eventName, id, data, retry, comments);
            }
            if (line[0] == ':')
            {
                comments.Add(line[1..].TrimStart());
                continue;
            }
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' ')) value = value[1..];
            switch (field)
            {
                case "event":
                    eventName = value;
                    break;
                case "data":
                    data = data is null ? value : data + "\n" + value;
                    break;
                case "id":
                    id = value;
                    LastEventId = value;
                    break;
                case "retry":
                    retry = int.Parse(value);
                    break;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        http.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The `n` of a test payload {"n":...}.</summary>
    public static int N(JsonElement message) => message.GetProperty("data").GetProperty("n").GetInt32();

    private static HttpRequestMessage Request(GatewayNode node, string query, string? lastEventId, Action<HttpRequestMessage>? configure)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node.HttpAddress, "/sse?" + query));
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null) request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        configure?.Invoke(request);
        return request;
    }
}

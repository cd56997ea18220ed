using Microsoft.Extensions.Options;

namespace PushGateway.Configuration;

/// <summary>Runs an options class's own Validate() at startup, so a bad setting stops the node with every problem listed.</summary>
internal sealed class OptionsValidation<TOptions>(Func<TOptions, IEnumerable<string>> validate) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var errors = validate(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

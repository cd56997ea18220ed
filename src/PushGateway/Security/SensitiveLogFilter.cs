using Microsoft.Extensions.Options;

namespace PushGateway.Security;

/// <summary>
/// Keeps access tokens out of the logs. Browsers must put the token in the query string, and
/// ASP.NET Core's hosting diagnostics write the whole URL, query included, in their Information
/// "Request starting/finished" lines (Kestrel's bad-request lines quote the request line at Debug).
/// Whatever the configuration says, those categories log at Warning and above only.
/// </summary>
internal sealed class SensitiveLogFilter : IPostConfigureOptions<LoggerFilterOptions>
{
    /// <summary>Categories that may write a request URL or request line below Warning.</summary>
    public static readonly string[] Categories =
    [
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        "Microsoft.AspNetCore.Server.Kestrel.BadRequests",
        "Microsoft.AspNetCore.HttpLogging",
        "Microsoft.AspNetCore.W3CLogging",
    ];

    public void PostConfigure(string? name, LoggerFilterOptions options)
    {
        // The most specific rule wins, and a provider-specific rule beats a general one: so one
        // general rule per category, and the same again for every provider configured by name.
        var providers = options.Rules.Select(r => r.ProviderName).Where(p => p is not null).Distinct().ToList();
        foreach (var category in Categories)
        {
            options.Rules.Add(new LoggerFilterRule(null, category, LogLevel.Warning, null));
            foreach (var provider in providers) options.Rules.Add(new LoggerFilterRule(provider, category, LogLevel.Warning, null));
        }
        // A rule set for a longer category (".Diagnostics.Something") would be more specific than ours: raise it too.
        for (var i = 0; i < options.Rules.Count; i++)
        {
            var rule = options.Rules[i];
            if (rule.CategoryName is null || rule.LogLevel is null || rule.LogLevel >= LogLevel.Warning) continue;
            if (Categories.Any(c => rule.CategoryName.StartsWith(c + ".", StringComparison.Ordinal) || rule.CategoryName.StartsWith(c + "*", StringComparison.Ordinal)))
                options.Rules[i] = new LoggerFilterRule(rule.ProviderName, rule.CategoryName, LogLevel.Warning, rule.Filter);
        }
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using PushGateway.Security;

namespace PushGateway.Tests.Security;

/// <summary>Builds SecurityOptions from the same flat keys a node's configuration uses.</summary>
internal static class SecurityTestOptions
{
    public static SecurityOptions Bind(IDictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();

    public static TokenAuthenticator Authenticator(IDictionary<string, string?> settings, TimeProvider? time = null) =>
        new(Options.Create(Bind(settings)), time ?? TimeProvider.System);
}

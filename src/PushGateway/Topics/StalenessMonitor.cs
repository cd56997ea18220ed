using Microsoft.Extensions.Options;
using PushGateway.Configuration;

namespace PushGateway.Topics;

/// <summary>Checks, on a timer, which routed topics fell silent longer than configured and tells their subscribers once.</summary>
internal sealed class StalenessMonitor(TopicRouter router, IOptions<StalenessOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.After.Count == 0) return;
        var rules = settings.After.Select(r => (Pattern: TopicPattern.Parse(r.Key), Ticks: (long)(r.Value.TotalSeconds * time.TimestampFrequency))).ToArray();
        long? StaleAfter(string topic)
        {
            foreach (var (pattern, ticks) in rules)
            {
                if (pattern.Matches(topic)) return ticks;
            }
            return null;
        }
        using var timer = new PeriodicTimer(settings.CheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            router.NotifyStale(StaleAfter, time.GetTimestamp());
        }
    }
}

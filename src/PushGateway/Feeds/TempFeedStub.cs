namespace FeedSimulator
{
    public sealed class FeedOptions { public IEnumerable<string> Validate() => []; }
    public sealed class FeedEngine(FeedOptions o, TimeProvider t) { public Task RunAsync(IFeedSink s, CancellationToken c) => Task.CompletedTask; }
}

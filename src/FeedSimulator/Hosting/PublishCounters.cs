namespace FeedSimulator.Hosting;

/// <summary>Publish outcomes, written by the sink as Redis answers and read by the progress log.</summary>
internal sealed class PublishCounters
{
    private long published;
    private long failed;

    public long Published => Interlocked.Read(ref published);

    public long Failed => Interlocked.Read(ref failed);

    public void OnPublished() => Interlocked.Increment(ref published);

    public void OnFailed() => Interlocked.Increment(ref failed);
}

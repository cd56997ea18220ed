using System.Runtime.CompilerServices;

namespace FeedSimulator.Tests.Infrastructure;

/// <summary>Every await in a test is bounded, and a timeout names where it happened.</summary>
public static class Bounded
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    public static async Task<T> Within<T>(this Task<T> task, TimeSpan? timeout = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        try
        {
            return await task.WaitAsync(timeout ?? Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"timed out after {(timeout ?? Default).TotalSeconds}s at {Path.GetFileName(file)}:{line}");
        }
    }

    public static async Task Within(this Task task, TimeSpan? timeout = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        try
        {
            await task.WaitAsync(timeout ?? Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"timed out after {(timeout ?? Default).TotalSeconds}s at {Path.GetFileName(file)}:{line}");
        }
    }
}

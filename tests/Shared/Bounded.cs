using System.Runtime.CompilerServices;

namespace PushGateway.Testing;

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

    /// <summary>
    /// For state owned by another process (Redis' PUBSUB counts) that offers no event to wait on:
    /// polls a condition until it holds or the bound passes.
    /// </summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Default);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"never became true: {what}");
            await Task.Delay(10);
        }
    }
}

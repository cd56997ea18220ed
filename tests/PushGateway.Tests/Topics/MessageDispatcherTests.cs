using System.Collections.Concurrent;
using PushGateway.Bus;
using PushGateway.Testing;
using PushGateway.Topics;

namespace PushGateway.Tests.Topics;

/// <summary>
/// The dispatcher's shards are mailboxes: a bus thread may run a message for an idle shard itself,
/// and whatever mix of inline and queued runs happens, each topic's messages keep their order.
/// </summary>
public sealed class MessageDispatcherTests
{
    [Fact]
    public async Task An_idle_shard_runs_a_message_on_the_posting_thread_when_asked_and_only_then()
    {
        var threads = new ConcurrentQueue<(long Seq, int Thread)>();
        var done = new CountdownEvent(2);
        await using var dispatcher = new MessageDispatcher(1, 16, m =>
        {
            threads.Enqueue((m.Seq, Environment.CurrentManagedThreadId));
            done.Signal();
            return ValueTask.CompletedTask;
        }, _ => { });

        Assert.True(dispatcher.TryPost(Message("a", 1), runInline: true));
        Assert.True(dispatcher.TryPost(Message("a", 2), runInline: false));
        Assert.True(done.Wait(Bounded.Default));

        var byPost = threads.ToDictionary(t => t.Seq, t => t.Thread);
        Assert.Equal(Environment.CurrentManagedThreadId, byPost[1]);
        Assert.NotEqual(Environment.CurrentManagedThreadId, byPost[2]);
    }

    [Fact]
    public async Task A_message_for_a_busy_shard_is_queued_behind_it_even_when_inline_is_allowed()
    {
        var order = new ConcurrentQueue<long>();
        var release = new TaskCompletionSource();
        var second = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var dispatcher = new MessageDispatcher(1, 16, async m =>
        {
            order.Enqueue(m.Seq);
            if (m.Seq == 1) await release.Task;
            if (m.Seq == 2) second.TrySetResult(Environment.CurrentManagedThreadId);
        }, _ => { });

        // The first waits (as a dispatch waiting for a history read does): its shard stays busy.
        Assert.True(dispatcher.TryPost(Message("a", 1), runInline: true));
        Assert.True(dispatcher.TryPost(Message("a", 2), runInline: true));
        Assert.False(second.Task.IsCompleted);
        Assert.Equal(1, dispatcher.QueuedCount);

        release.SetResult();
        var thread = await second.Task.Within();
        Assert.NotEqual(Environment.CurrentManagedThreadId, thread);
        Assert.Equal([1L, 2L], order.ToArray());
    }

    [Fact]
    public async Task Each_topic_keeps_its_order_through_any_mix_of_inline_queued_and_waiting_dispatches()
    {
        const int PerTopic = 2_000;
        string[] topics = ["fx.EURUSD", "fx.GBPUSD", "smog.krakow", "smog.wroclaw", "x"];
        var seen = topics.ToDictionary(t => t, _ => new List<long>());
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var total = 0;
        await using var dispatcher = new MessageDispatcher(2, PerTopic * topics.Length, async m =>
        {
            lock (seen) seen[m.Topic].Add(m.Seq);
            // Some dispatches wait, so the shard is sometimes busy when the next message comes.
            if (m.Seq % 7 == 0) await Task.Yield();
            if (Interlocked.Increment(ref total) == PerTopic * topics.Length) all.TrySetResult();
        }, _ => { });

        for (var seq = 1; seq <= PerTopic; seq++)
        {
            foreach (var topic in topics) Assert.True(dispatcher.TryPost(Message(topic, seq), runInline: seq % 3 != 0));
        }
        await all.Task.Within();

        lock (seen)
        {
            foreach (var topic in topics) Assert.Equal(Enumerable.Range(1, PerTopic).Select(i => (long)i), seen[topic]);
        }
    }

    [Fact]
    public async Task A_full_shard_refuses_and_a_dispatch_that_throws_does_not_stop_the_next()
    {
        var release = new TaskCompletionSource();
        var errors = new ConcurrentQueue<Exception>();
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var dispatcher = new MessageDispatcher(1, 2, async m =>
        {
            if (m.Seq == 1) await release.Task;
            if (m.Seq == 2) throw new InvalidOperationException("subscriber gone");
            if (m.Seq == 3) third.TrySetResult();
        }, errors.Enqueue);

        Assert.True(dispatcher.TryPost(Message("a", 1), runInline: true));
        Assert.True(dispatcher.TryPost(Message("a", 2)));
        Assert.True(dispatcher.TryPost(Message("a", 3)));
        Assert.False(dispatcher.TryPost(Message("a", 4)));

        release.SetResult();
        await third.Task.Within();
        Assert.Single(errors);
    }

    [Fact]
    public async Task A_backlog_is_routed_in_runs_of_MaxRun_each_flushing_its_connections_once_at_its_end()
    {
        var total = 2 * MessageDispatcher.MaxRun + 10;
        var routed = 0;
        var connection = new CountingFlush(() => Volatile.Read(ref routed));
        using var blocked = new ManualResetEventSlim();
        var last = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var dispatcher = new MessageDispatcher(1, total + 1, m =>
        {
            // The first message holds the worker until the whole backlog is queued behind it.
            if (m.Seq == 1) Assert.True(blocked.Wait(Bounded.Default));
            Interlocked.Increment(ref routed);
            connection.MakeReady();
            if (m.Seq == total) last.TrySetResult();
            return ValueTask.CompletedTask;
        }, _ => { });

        for (var seq = 1; seq <= total; seq++) Assert.True(dispatcher.TryPost(Message("a", seq)));
        blocked.Set();
        await last.Task.Within();
        await connection.Flushed(3).Within();

        // Messages routed when each flush ran: one write per run, never one per message.
        Assert.Equal([MessageDispatcher.MaxRun, 2 * MessageDispatcher.MaxRun, total], connection.RoutedAtFlush);
    }

    /// <summary>A connection as the socket transport defers it: noted once per batch, flushed at its end.</summary>
    private sealed class CountingFlush(Func<int> routed) : PushGateway.Connections.IDeferredFlush
    {
        private readonly ConcurrentQueue<int> routedAtFlush = new();
        private readonly TaskCompletionSource[] flushed = [new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously)];
        private bool pending;

        public int[] RoutedAtFlush => routedAtFlush.ToArray();

        public Task Flushed(int count) => flushed[count - 1].Task;

        public void MakeReady()
        {
            if (pending) return;
            pending = PushGateway.Connections.FlushBatch.TryDefer(this);
            if (!pending) Flush(null);
        }

        public bool StagesSends => false;

        public void Flush(PushGateway.Connections.Uring.SendRing? ring)
        {
            pending = false;
            routedAtFlush.Enqueue(routed());
            if (routedAtFlush.Count <= flushed.Length) flushed[routedAtFlush.Count - 1].TrySetResult();
        }
    }

    private static BusMessage Message(string topic, long seq) => new(topic, topic, ReadOnlyMemory<byte>.Empty, 0, seq);
}

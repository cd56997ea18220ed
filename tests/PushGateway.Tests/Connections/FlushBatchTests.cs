using System.Collections.Concurrent;
using PushGateway.Connections;
using PushGateway.Connections.Uring;
using PushGateway.Testing;

namespace PushGateway.Tests.Connections;

/// <summary>
/// A fan-out run notes the connections it made ready and flushes each once when it ends; a run that
/// made very many ready shares those writes with the other cores.
/// </summary>
public sealed class FlushBatchTests
{
    [Fact]
    public void Outside_a_batch_nothing_is_deferred()
    {
        Assert.False(FlushBatch.TryDefer(new Target(0)));
    }

    [Fact]
    public void The_outermost_exit_flushes_each_noted_connection_once_on_the_calling_thread()
    {
        var targets = Enumerable.Range(0, 5).Select(i => new Target(i)).ToArray();

        FlushBatch.Enter();
        FlushBatch.Enter();
        foreach (var target in targets) Assert.True(FlushBatch.TryDefer(target));
        FlushBatch.Exit();
        Assert.All(targets, t => Assert.Equal(0, t.Flushes));
        FlushBatch.Exit();

        Assert.All(targets, t => Assert.Equal(1, t.Flushes));
        Assert.All(targets, t => Assert.Equal([Environment.CurrentManagedThreadId], t.Threads));
    }

    [Fact]
    public void A_batch_of_several_shares_one_send_ring_and_a_batch_of_one_writes_directly()
    {
        Assert.Null(SendRings.Unavailable);
        var several = Enumerable.Range(0, 3).Select(i => new Target(i)).ToArray();
        var single = new Target(0);

        FlushBatch.Enter();
        foreach (var target in several) FlushBatch.TryDefer(target);
        FlushBatch.Exit();
        FlushBatch.Enter();
        FlushBatch.TryDefer(single);
        FlushBatch.Exit();

        Assert.NotNull(several[0].Ring);
        Assert.All(several, t => Assert.Same(several[0].Ring, t.Ring));
        Assert.Null(single.Ring);
    }

    [Fact]
    public void Connections_that_do_not_stage_sends_get_no_ring()
    {
        var targets = Enumerable.Range(0, 3).Select(i => new Target(i) { StagesSends = false }).ToArray();

        FlushBatch.Enter();
        foreach (var target in targets) FlushBatch.TryDefer(target);
        FlushBatch.Exit();

        Assert.All(targets, t => Assert.Equal(1, t.Flushes));
        Assert.All(targets, t => Assert.Null(t.Ring));
    }

    [Fact]
    public void A_large_batch_is_flushed_once_per_connection_with_help_from_another_thread()
    {
        var count = FlushBatch.ShareFrom * 4;
        using var all = new CountdownEvent(count);
        using var helped = new ManualResetEventSlim();
        var caller = Environment.CurrentManagedThreadId;
        var targets = new Target[count];
        for (var i = 0; i < count; i++) targets[i] = new Target(i, all, helped);
        // The caller takes the first chunk; its first flush waits until another thread has flushed one,
        // so the batch can only finish if the writes are really shared.
        targets[0].Before = () => helped.Wait(Bounded.Default);

        FlushBatch.Enter();
        foreach (var target in targets) FlushBatch.TryDefer(target);
        FlushBatch.Exit();

        Assert.True(all.Wait(Bounded.Default), $"{all.CurrentCount} of {count} not flushed");
        Assert.All(targets, t => Assert.Equal(1, t.Flushes));
        var threads = targets.SelectMany(t => t.Threads).Distinct().ToArray();
        if (Environment.ProcessorCount == 1) Assert.Equal([caller], threads);
        else
        {
            Assert.True(helped.IsSet, "no other thread flushed any connection");
            Assert.Contains(caller, threads);
            Assert.True(threads.Length > 1);
        }
    }

    [Fact]
    public void A_large_batch_gives_its_list_back_only_when_its_last_helper_is_done()
    {
        // A shared batch's list is reused by a later batch. Given back when the caller is done rather than
        // the last helper, the batch after next would fill it while a helper still walks it: connections of
        // the first batch would be skipped and some of the third flushed twice.
        const int batches = 3;
        var count = FlushBatch.ShareFrom * 2;
        using var all = new CountdownEvent(batches * count);
        using var helping = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var caller = Environment.CurrentManagedThreadId;
        var rounds = new Target[batches][];
        for (var b = 0; b < batches; b++)
        {
            rounds[b] = new Target[count];
            for (var i = 0; i < count; i++) rounds[b][i] = new Target(i, all);
        }
        // The caller's first flush waits for a helper; the helper then holds its chunk until the third batch is queued.
        if (Environment.ProcessorCount > 1) rounds[0][0].Before = () => helping.Wait(Bounded.Default);
        foreach (var target in rounds[0].Skip(1))
        {
            target.Before = () =>
            {
                if (Environment.CurrentManagedThreadId == caller) return;
                helping.Set();
                release.Wait(Bounded.Default);
            };
        }

        foreach (var round in rounds)
        {
            FlushBatch.Enter();
            foreach (var target in round) FlushBatch.TryDefer(target);
            FlushBatch.Exit();
        }
        release.Set();

        Assert.True(all.Wait(Bounded.Default), $"{all.CurrentCount} of {batches * count} not flushed");
        Assert.All(rounds.SelectMany(r => r), t => Assert.Equal(1, t.Flushes));
        if (Environment.ProcessorCount > 1) Assert.True(helping.IsSet, "no helper flushed the first batch");
    }

    [Fact]
    public void A_connection_whose_flush_throws_costs_the_others_of_a_large_batch_nothing()
    {
        var count = FlushBatch.ShareFrom * 4;
        using var all = new CountdownEvent(count);
        var targets = new Target[count];
        for (var i = 0; i < count; i++) targets[i] = new Target(i, all);
        // One in the caller's first chunk, one in a chunk a helper may take.
        targets[1].Before = () => throw new InvalidOperationException("broken target");
        targets[count - 2].Before = () => throw new InvalidOperationException("broken target");

        FlushBatch.Enter();
        foreach (var target in targets) FlushBatch.TryDefer(target);
        FlushBatch.Exit();

        // The two that throw never count themselves; every other one is flushed once.
        Assert.True(SpinWait.SpinUntil(() => all.CurrentCount == 2, Bounded.Default), $"{all.CurrentCount - 2} healthy connections not flushed");
        Assert.All(targets.Where((_, i) => i != 1 && i != count - 2), t => Assert.Equal(1, t.Flushes));
    }

    private sealed class Target(int index, CountdownEvent? all = null, ManualResetEventSlim? helped = null) : IDeferredFlush
    {
        private int flushes;
        private readonly int caller = Environment.CurrentManagedThreadId;

        public Action? Before { get; set; }

        public int Flushes => Volatile.Read(ref flushes);

        public ConcurrentBag<int> Threads { get; } = [];

        public SendRing? Ring { get; private set; }

        public bool StagesSends { get; init; } = true;

        public void Flush(SendRing? ring)
        {
            Ring = ring;
            Before?.Invoke();
            Threads.Add(Environment.CurrentManagedThreadId);
            Interlocked.Increment(ref flushes);
            if (index > 0 && Environment.CurrentManagedThreadId != caller) helped?.Set();
            all?.Signal();
        }
    }
}

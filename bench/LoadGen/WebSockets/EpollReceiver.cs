using System.Runtime.InteropServices;

namespace LoadGen.WebSockets;

/// <summary>
/// Reads many <see cref="RawWebSocket"/>s on one thread, through one epoll set: per ready socket one
/// recv() and the frames it holds are handled there and then. An async receive per connection cost,
/// per frame, a thread-pool hop, a second recv() that finds nothing and a state machine: LoadGen spent
/// 14.6 us of CPU per delivery in S1, three times the gateway it measures, on the same two cores.
/// The sockets must never have had an async operation: .NET's own epoll engine would then be woken too.
/// </summary>
public sealed partial class EpollReceiver
{
    private const uint EpollIn = 0x001;
    private const uint EpollRdHup = 0x2000;
    private const int CtlAdd = 1;
    private const int CtlDel = 2;
    private const int Eintr = 4;
    private const int MaxEvents = 256;

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    private static readonly Lazy<EpollReceiver[]> Shared = new(() =>
        Enumerable.Range(0, ThreadCount).Select(i => new EpollReceiver(i)).ToArray());
    private static int _nextShared;

    private readonly int _epoll;
    private readonly object _gate = new();
    private readonly Stack<int> _free = new();
    private RawWebSocket?[] _slots = new RawWebSocket?[256];
    private int _used;

    /// <summary>Receive threads per process (LOADGEN_RECEIVE_THREADS, default 1).</summary>
    public static int ThreadCount { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("LOADGEN_RECEIVE_THREADS"), out var n) && n > 0 ? n : 1;

    /// <summary>The process's receivers, taken in turn.</summary>
    public static EpollReceiver Next() => Shared.Value[(int)((uint)Interlocked.Increment(ref _nextShared) % Shared.Value.Length)];

    private EpollReceiver(int index)
    {
        _epoll = EpollCreate1(0);
        if (_epoll < 0) throw new IOException($"epoll_create1: errno {Marshal.GetLastPInvokeError()}");
        new Thread(Run) { IsBackground = true, Name = $"loadgen-recv-{index}" }.Start();
    }

    internal int Add(RawWebSocket socket, int fd)
    {
        int id;
        lock (_gate)
        {
            id = _free.Count > 0 ? _free.Pop() : _used++;
            if (id >= _slots.Length)
            {
                var bigger = new RawWebSocket?[_slots.Length * 2];
                _slots.CopyTo(bigger, 0);
                Volatile.Write(ref _slots, bigger);
            }
            Volatile.Write(ref _slots[id], socket);
        }
        var ev = new EpollEvent { Events = EpollIn | EpollRdHup, Data = (ulong)id };
        if (EpollCtl(_epoll, CtlAdd, fd, ref ev) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Release(id);
            throw new IOException($"epoll_ctl ADD: errno {errno}");
        }
        return id;
    }

    /// <summary>Stops reporting the socket; an event already taken may still reach it, which it ignores once closed.</summary>
    internal void Remove(int id, int fd)
    {
        var ev = default(EpollEvent);
        EpollCtl(_epoll, CtlDel, fd, ref ev);
        Release(id);
    }

    private void Release(int id)
    {
        lock (_gate)
        {
            Volatile.Write(ref _slots[id], null);
            _free.Push(id);
        }
    }

    private void Run()
    {
        var events = new EpollEvent[MaxEvents];
        while (true)
        {
            var n = EpollWait(_epoll, events, MaxEvents, -1);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == Eintr) continue;
                Console.Error.WriteLine($"loadgen: epoll_wait failed, errno {Marshal.GetLastPInvokeError()}; receiving stops");
                return;
            }
            var slots = Volatile.Read(ref _slots);
            for (var i = 0; i < n; i++)
            {
                // A slot freed and taken again since the event was queued gets a call with nothing to read; harmless.
                Volatile.Read(ref slots[(int)events[i].Data])?.OnReadable();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epfd, int op, int fd, ref EpollEvent ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int epfd, [Out] EpollEvent[] events, int maxEvents, int timeout);
}

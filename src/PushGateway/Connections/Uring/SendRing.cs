using System.Runtime.InteropServices;
using static PushGateway.Connections.Uring.IoUringNative;

namespace PushGateway.Connections.Uring;

/// <summary>Told how a staged send went: the bytes the kernel took (0 when it took none), or -errno.</summary>
internal interface IStagedSend
{
    /// <param name="frame">What was staged; valid only during the call.</param>
    void Sent(int result, ReadOnlySpan<byte> frame);
}

/// <summary>
/// One io_uring used for sends only: a fan-out batch stages a frame per connection here and <see cref="Submit"/>
/// hands them all to the kernel in one io_uring_enter instead of one send() each. On this project's PVM guests
/// a syscall costs about a microsecond before it does anything (docs/benchmarks.md). Every send is non-blocking
/// (MSG_DONTWAIT): one the socket cannot take completes at once with what it took, and the connection writes
/// the rest itself. Used by one thread at a time; <see cref="SendRings"/> lends them out.
/// </summary>
internal sealed unsafe class SendRing : IDisposable
{
    public const int Entries = 256;
    internal const int ArenaBytes = 256 * 1024;
    // Below this much room another frame may not fit, so the batch submits first rather than fall back to send().
    private const int LowArena = 16 * 1024;

    private readonly int fd;
    private readonly nint rings;
    private readonly nuint ringsLength;
    private readonly nint sqeArea;
    private readonly nuint sqeLength;
    private readonly uint* sqTail;
    private readonly uint* sqHead;
    private readonly uint* sqArray;
    private readonly uint sqMask;
    private readonly Sqe* sqes;
    private readonly uint* cqHead;
    private readonly uint* cqTail;
    private readonly uint cqMask;
    private readonly Cqe* cqes;
    // Frames are built here, so the kernel reads memory the GC never moves.
    private readonly byte[] arena = GC.AllocateUninitializedArray<byte>(ArenaBytes, pinned: true);
    private readonly byte* arenaStart;
    private readonly Staged[] staged = new Staged[Entries];
    private int count;
    private int arenaUsed;
    // How many of the staged entries the kernel has read: one of them that never completed may still send.
    private int submitted;
    private bool broken;

    private struct Staged
    {
        public IStagedSend Target;
        public SafeHandle Socket;
        public int Offset;
        public int Length;
        public int Result;
        public bool Done;
    }

    private SendRing(int fd, in Params p, nint rings, nuint ringsLength, nint sqeArea, nuint sqeLength)
    {
        this.fd = fd;
        this.rings = rings;
        this.ringsLength = ringsLength;
        this.sqeArea = sqeArea;
        this.sqeLength = sqeLength;
        var b = (byte*)rings;
        sqHead = (uint*)(b + p.SqOff.Head);
        sqTail = (uint*)(b + p.SqOff.Tail);
        sqMask = *(uint*)(b + p.SqOff.RingMask);
        sqArray = (uint*)(b + p.SqOff.Array);
        cqHead = (uint*)(b + p.CqOff.Head);
        cqTail = (uint*)(b + p.CqOff.Tail);
        cqMask = *(uint*)(b + p.CqOff.RingMask);
        cqes = (Cqe*)(b + p.CqOff.Cqes);
        sqes = (Sqe*)sqeArea;
        arenaStart = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(arena, 0);
    }

    /// <summary>
    /// A new ring, or null with the reason when this kernel (or a seccomp profile) does not allow one;
    /// <paramref name="transient"/> when the refusal was for want of memory or descriptors, which may pass.
    /// </summary>
    public static SendRing? TryCreate(out string? unavailable, out bool transient)
    {
        unavailable = null;
        transient = false;
        if (!OperatingSystem.IsLinux())
        {
            unavailable = "not Linux";
            return null;
        }
        Params p = default;
        p.Flags = SetupCoopTaskRun;
        var fd = Setup(Entries, &p);
        if (fd == -22)
        {
            // EINVAL: a kernel older than 5.19 without cooperative task running.
            p = default;
            fd = Setup(Entries, &p);
        }
        if (fd < 0)
        {
            // Before 5.12 a ring's memory counts against RLIMIT_MEMLOCK: ENOMEM there, like EMFILE, may pass.
            transient = -fd is ENoMem or EMFile or ENFile;
            unavailable = $"io_uring_setup failed: {Marshal.GetPInvokeErrorMessage(-fd)} (errno {-fd})";
            return null;
        }
        if ((p.Features & (FeatSingleMmap | FeatRwCurPos)) != (FeatSingleMmap | FeatRwCurPos))
        {
            // IORING_OP_SEND came with 5.6 (so did this feature bit); before 5.4 the rings were also mapped separately.
            Close(fd);
            unavailable = "io_uring without IORING_OP_SEND (kernel older than 5.6)";
            return null;
        }
        var ringsLength = (nuint)Math.Max(p.SqOff.Array + p.SqEntries * sizeof(uint), p.CqOff.Cqes + p.CqEntries * (uint)sizeof(Cqe));
        var rings = Mmap(0, ringsLength, ProtReadWrite, MapSharedPopulate, fd, OffSqRing);
        var sqeLength = (nuint)(p.SqEntries * (uint)sizeof(Sqe));
        var sqeArea = rings == -1 ? -1 : Mmap(0, sqeLength, ProtReadWrite, MapSharedPopulate, fd, OffSqes);
        if (rings == -1 || sqeArea == -1)
        {
            var error = Marshal.GetLastPInvokeError();
            if (rings != -1) Munmap(rings, ringsLength);
            Close(fd);
            transient = error == ENoMem;
            unavailable = $"mmap of the io_uring failed: errno {error}";
            return null;
        }
        return new SendRing(fd, p, rings, ringsLength, sqeArea, sqeLength);
    }

    public int Count => count;

    /// <summary>True when the batch should be submitted before another frame is reserved.</summary>
    public bool NearlyFull => count == Entries || ArenaBytes - arenaUsed < LowArena;

    /// <summary>True when the ring failed in a way that makes it unsafe to use again.</summary>
    public bool Broken => broken;

    /// <summary>
    /// Room for a frame of up to <paramref name="size"/> bytes in the ring's pinned buffer, to be built in place from
    /// <c>buffer[offset]</c> on; false when the ring has no room for it (or no entry left). Nothing is taken until <see cref="Commit"/>.
    /// </summary>
    public bool TryReserve(int size, out byte[] buffer, out int offset)
    {
        buffer = arena;
        offset = arenaUsed;
        return !broken && count < Entries && size <= ArenaBytes - arenaUsed;
    }

    /// <summary>
    /// Stages a send of <c>buffer[start..end)</c>, built in the space the last <see cref="TryReserve"/> gave; <paramref name="target"/>
    /// is told the result once during the next <see cref="Submit"/>. Throws ObjectDisposedException when the socket has been closed.
    /// </summary>
    public void Commit(IStagedSend target, SafeHandle socket, int start, int end)
    {
        if (start < arenaUsed || end > ArenaBytes || start > end) throw new ArgumentOutOfRangeException(nameof(start), "not inside the reserved space");
        var added = false;
        // Held until the completion: a connection closed meanwhile must not have its descriptor number reused under the send.
        socket.DangerousAddRef(ref added);
        arenaUsed = end;
        var index = (*sqTail + (uint)count) & sqMask;
        var sqe = sqes + index;
        *sqe = default;
        sqe->Opcode = OpSend;
        sqe->Fd = (int)socket.DangerousGetHandle();
        sqe->Addr = (ulong)(arenaStart + start);
        sqe->Len = (uint)(end - start);
        // MSG_DONTWAIT also tells io_uring not to wait for room (REQ_F_NOWAIT): a full socket completes with -EAGAIN.
        sqe->MsgFlags = MsgDontWait | MsgNoSignal;
        sqe->UserData = (ulong)count;
        sqArray[index] = index;
        staged[count] = new Staged { Target = target, Socket = socket, Offset = start, Length = end - start };
        count++;
    }

    /// <summary>
    /// Sends everything staged in one io_uring_enter (more only if the kernel asks to retry) and tells each target
    /// how its send went. Never throws: a target is told even when the ring fails, as having sent nothing.
    /// </summary>
    public void Submit()
    {
        if (count == 0) return;
        try
        {
            SubmitAndWait();
        }
        catch (Exception)
        {
            // Nothing here should throw; if it does, any send may be in flight, and the ring is not used again.
            broken = true;
            submitted = count;
        }
        for (var i = 0; i < count; i++)
        {
            ref var s = ref staged[i];
            var target = s.Target;
            // Not sent is safe to send again; possibly sent is not (the stream would get the frame twice), so it fails the connection.
            var result = s.Done ? s.Result : i < submitted ? -EIo : 0;
            // Neither a full socket nor an interrupted send has sent anything: the connection writes it itself.
            if (result is -EAgain or -EIntr) result = 0;
            s.Socket.DangerousRelease();
            var frame = new ReadOnlySpan<byte>(arenaStart + s.Offset, s.Length);
            s = default;
            try
            {
                target.Sent(result, frame);
            }
            catch (Exception)
            {
                // A target ends its own connection on errors (as IDeferredFlush.Flush does); the rest of the batch must still be told.
            }
        }
        count = 0;
        submitted = 0;
        arenaUsed = 0;
    }

    private void SubmitAndWait()
    {
        Volatile.Write(ref *sqTail, *sqTail + (uint)count);
        var toSubmit = (uint)count;
        submitted = 0;
        var completed = 0;
        var spins = 0;
        while (completed < count)
        {
            var result = Enter(fd, toSubmit, (uint)(count - completed), EnterGetEvents);
            if (result >= 0)
            {
                toSubmit -= (uint)Math.Min(result, (int)toSubmit);
                submitted = count - (int)toSubmit;
            }
            else if (result is not (-EIntr or -EAgain or -EBusy) || ++spins > 1000)
            {
                // The entries not yet submitted are withdrawn (the kernel has not read them) and count as not sent; those in
                // flight would complete later, so the ring is retired rather than reused.
                Volatile.Write(ref *sqTail, *sqTail - toSubmit);
                broken = true;
                Reap(ref completed);
                return;
            }
            Reap(ref completed);
        }
    }

    private void Reap(ref int completed)
    {
        var head = *cqHead;
        var tail = Volatile.Read(ref *cqTail);
        for (; head != tail; head++)
        {
            ref var cqe = ref cqes[head & cqMask];
            var index = (int)cqe.UserData;
            if ((uint)index < (uint)count && !staged[index].Done)
            {
                staged[index].Result = cqe.Res;
                staged[index].Done = true;
                completed++;
            }
        }
        Volatile.Write(ref *cqHead, head);
    }

    public void Dispose()
    {
        Munmap(sqeArea, sqeLength);
        Munmap(rings, ringsLength);
        Close(fd);
    }
}

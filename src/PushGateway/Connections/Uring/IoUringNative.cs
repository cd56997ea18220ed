using System.Runtime.InteropServices;

namespace PushGateway.Connections.Uring;

/// <summary>
/// The slice of Linux's io_uring ABI that <see cref="SendRing"/> uses (include/uapi/linux/io_uring.h), called
/// through libc's <c>syscall</c>: .NET's sockets have no io_uring of their own, and no package here has one.
/// The syscall numbers are the same on every architecture (they were added after the tables were unified).
/// </summary>
internal static unsafe partial class IoUringNative
{
    public const long SysSetup = 425;
    public const long SysEnter = 426;

    public const uint EnterGetEvents = 1;
    // Completions are posted when the submitting task next enters the kernel, with no interrupt of its own:
    // the submitter waits for them in the same call anyway.
    public const uint SetupCoopTaskRun = 1 << 8;
    public const uint FeatSingleMmap = 1;
    // Added in Linux 5.6 together with IORING_OP_SEND: a kernel without it would fail every send with EINVAL.
    public const uint FeatRwCurPos = 1 << 3;

    public const byte OpSend = 26;
    public const int MsgDontWait = 0x40;
    public const int MsgNoSignal = 0x4000;

    public const long OffSqRing = 0;
    public const long OffSqes = 0x10000000;

    public const int ProtReadWrite = 0x1 | 0x2;
    public const int MapSharedPopulate = 0x01 | 0x8000;

    public const int EIntr = 4;
    public const int EIo = 5;
    public const int ENoMem = 12;
    public const int EMFile = 24;
    public const int ENFile = 23;
    public const int EAgain = 11;
    public const int EBusy = 16;

    [StructLayout(LayoutKind.Sequential)]
    public struct SqRingOffsets
    {
        public uint Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Resv1;
        public ulong UserAddr;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CqRingOffsets
    {
        public uint Head, Tail, RingMask, RingEntries, Overflow, Cqes, Flags, Resv1;
        public ulong UserAddr;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Params
    {
        public uint SqEntries, CqEntries, Flags, SqThreadCpu, SqThreadIdle, Features, WqFd, Resv0, Resv1, Resv2;
        public SqRingOffsets SqOff;
        public CqRingOffsets CqOff;
    }

    /// <summary>A submission queue entry (64 bytes), with the fields a send uses.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct Sqe
    {
        [FieldOffset(0)] public byte Opcode;
        [FieldOffset(1)] public byte Flags;
        [FieldOffset(2)] public ushort IoPrio;
        [FieldOffset(4)] public int Fd;
        [FieldOffset(8)] public ulong Off;
        [FieldOffset(16)] public ulong Addr;
        [FieldOffset(24)] public uint Len;
        [FieldOffset(28)] public int MsgFlags;
        [FieldOffset(32)] public ulong UserData;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Cqe
    {
        public ulong UserData;
        public int Res;
        public uint Flags;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>The ring's file descriptor, or -errno.</summary>
    public static int Setup(uint entries, Params* parameters)
    {
        var result = Syscall(SysSetup, entries, (long)parameters, 0, 0, 0, 0);
        return result < 0 ? -Marshal.GetLastPInvokeError() : (int)result;
    }

    /// <summary>How many entries were submitted, or -errno.</summary>
    public static int Enter(int fd, uint toSubmit, uint minComplete, uint flags)
    {
        var result = Syscall(SysEnter, fd, toSubmit, minComplete, flags, 0, 0);
        return result < 0 ? -Marshal.GetLastPInvokeError() : (int)result;
    }
}

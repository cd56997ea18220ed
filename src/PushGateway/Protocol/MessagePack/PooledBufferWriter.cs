using System.Buffers;

namespace PushGateway.Protocol.MessagePack;

/// <summary>
/// A growable buffer on arrays rented from <see cref="ArrayPool{T}.Shared"/>: scratch space that costs no garbage.
/// <see cref="Reset"/> hands the array back, so an idle instance holds no memory however large its last use was.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private const int MinimumSize = 256;

    private byte[] _buffer = [];
    private int _written;

    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _written);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Reserve(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= sizeHint) return;

        var newSize = Math.Max(Math.Max(MinimumSize, _written + sizeHint), (int)Math.Min(Array.MaxLength, 2L * _buffer.Length));
        var larger = ArrayPool<byte>.Shared.Rent(newSize);
        _buffer.AsSpan(0, _written).CopyTo(larger);
        Return();
        _buffer = larger;
    }

    public void Reset()
    {
        Return();
        _buffer = [];
        _written = 0;
    }

    private void Return()
    {
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
    }
}

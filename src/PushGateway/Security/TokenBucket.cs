namespace PushGateway.Security;

/// <summary>
/// A token bucket that may run into debt: what lets a client that slightly overshoots be told
/// (an error frame per refused command) while one that ignores the errors is cut off once the debt
/// reaches its limit. Used by one connection's receive loop only: not thread-safe.
/// </summary>
internal sealed class TokenBucket
{
    private readonly double perSecond;
    private readonly double capacity;
    private readonly TimeProvider time;
    private double tokens;
    private long refilledAt;

    public TokenBucket(double perSecond, double capacity, TimeProvider time)
    {
        this.perSecond = perSecond;
        this.capacity = capacity;
        this.time = time;
        tokens = capacity;
        refilledAt = time.GetTimestamp();
    }

    /// <summary>A rate of zero turns the limit off.</summary>
    public bool IsUnlimited => perSecond <= 0;

    public double Tokens
    {
        get
        {
            Refill();
            return tokens;
        }
    }

    /// <summary>
    /// Takes a token. Admitted when one was there; otherwise refused, and the refusal itself is
    /// charged as debt up to <paramref name="maxDebt"/>: past that, <see cref="BucketVerdict.Exhausted"/>.
    /// </summary>
    public BucketVerdict Take(double maxDebt = 0)
    {
        if (IsUnlimited) return BucketVerdict.Admitted;
        Refill();
        if (tokens >= 1)
        {
            tokens -= 1;
            return BucketVerdict.Admitted;
        }
        if (tokens - 1 < -maxDebt) return BucketVerdict.Exhausted;
        tokens -= 1;
        return BucketVerdict.Refused;
    }

    /// <summary>Takes a token if one is there; a refusal costs nothing.</summary>
    public bool TryTake()
    {
        if (IsUnlimited) return true;
        Refill();
        if (tokens < 1) return false;
        tokens -= 1;
        return true;
    }

    private void Refill()
    {
        var now = time.GetTimestamp();
        var elapsed = time.GetElapsedTime(refilledAt, now).TotalSeconds;
        refilledAt = now;
        if (elapsed > 0) tokens = Math.Min(capacity, tokens + elapsed * perSecond);
    }
}

internal enum BucketVerdict
{
    Admitted,
    Refused,
    Exhausted,
}

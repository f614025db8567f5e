namespace RaftOrleans.Configuration;

/// <summary>The <c>[gateway]</c> section: the KV gateway grain's deadline and request size limits.</summary>
public sealed record GatewaySettings
{
    /// <summary><c>request_timeout_ms</c>: after this long without an answer from a leader a request answers Unavailable, ms. Default 5000.</summary>
    public int RequestTimeoutMs { get; init; } = 5000;

    /// <summary><c>max_key_bytes</c>: largest key accepted, in UTF-8 bytes; longer keys answer Invalid. Default 256.</summary>
    public int MaxKeyBytes { get; init; } = 256;

    /// <summary><c>max_value_bytes</c>: largest value accepted, in UTF-8 bytes; longer values answer Invalid. Default 65536.</summary>
    public int MaxValueBytes { get; init; } = 65536;

    /// <summary>
    /// <c>max_requests_in_flight</c>: most requests one client connection may have unanswered at a silo; more are refused
    /// at once (one client cannot fill a silo's memory with waiting requests). Default 1024.
    /// </summary>
    public int MaxRequestsInFlight { get; init; } = 1024;

    /// <summary>
    /// <c>session_lifetime_ms</c>: a client's session (what makes its resends take effect at most once) expires after
    /// this long without a write of it; its next request then answers SessionExpired. Default 3,600,000 (one hour).
    /// </summary>
    public int SessionLifetimeMs { get; init; } = 3_600_000;

    /// <summary>
    /// Sessions must outlive every copy of a client's request: the console resends for up to three request deadlines
    /// and the gateway re-proposes for up to one more, each copy stamped anew; six leave room for the sweep's tenth
    /// and for leaders' clocks that differ a little.
    /// </summary>
    public const int SessionLifetimeInRequestTimeouts = 6;

    /// <summary><see cref="SessionLifetimeMs"/> as a <see cref="TimeSpan"/>.</summary>
    public TimeSpan SessionLifetime => TimeSpan.FromMilliseconds(SessionLifetimeMs);

    /// <summary><see cref="RequestTimeoutMs"/> as a <see cref="TimeSpan"/>.</summary>
    public TimeSpan RequestTimeout => TimeSpan.FromMilliseconds(RequestTimeoutMs);
}

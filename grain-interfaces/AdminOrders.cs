using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace RaftOrleans;

/// <summary>
/// An administrator's signature on one order to <see cref="IRaftAdminGrain"/>: the certificate (role admin, issued by
/// the cluster's authority), when it was signed, and the signature, by the certificate's private key, over the order
/// (method and arguments) and that time. It travels in the call's request context under <see cref="AdminOrders.ContextKey"/>.
/// </summary>
[GenerateSerializer]
public sealed record AdminSignature(
    [property: Id(0)] string CertificatePem,
    [property: Id(1)] long SignedAtMs,
    [property: Id(2)] byte[] Signature);

/// <summary>
/// How an administrative order is signed (the console, with raft.toml's tls.admin_certificate) and checked (a silo,
/// when its gateways are not on a loopback address). Orleans does not tell a grain call which connection, and so which
/// TLS certificate, it came on; a signature on the order itself proves the administrator's key was there. A signature
/// names its order and its cluster and is good for <see cref="MaxAge"/>, so it cannot be turned into another order or
/// used on another cluster; within that time it can be sent again as it is (see the README's Security).
/// </summary>
public static class AdminOrders
{
    public const string ContextKey = "raftorleans.admin";

    /// <summary>How old a signature may be by the silo's clock.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(2);

    /// <summary>How far in the future a signature may be dated (the signer's clock a little ahead of the silo's).</summary>
    public static readonly TimeSpan MaxClockAhead = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Signs <paramref name="method"/>(<paramref name="arguments"/>) for the cluster <paramref name="clusterId"/> (raft.toml's
    /// cluster.id: a signature is good on no other cluster of the same authority) with <paramref name="administrator"/>'s key.
    /// </summary>
    public static AdminSignature Sign(X509Certificate2 administrator, string clusterId, string method, IReadOnlyList<object?> arguments, DateTimeOffset? at = null)
    {
        var signedAt = (at ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds();
        var payload = Payload(clusterId, method, arguments, signedAt);
        using var ec = administrator.GetECDsaPrivateKey();
        using var rsa = ec is null ? administrator.GetRSAPrivateKey() : null;
        var signature = ec?.SignData(payload, HashAlgorithmName.SHA256)
            ?? rsa?.SignData(payload, HashAlgorithmName.SHA256, RSASignaturePadding.Pss)
            ?? throw new ArgumentException($"{administrator.Subject} has no EC or RSA private key to sign with", nameof(administrator));
        return new AdminSignature(administrator.ExportCertificatePem(), signedAt, signature);
    }

    /// <summary>
    /// Why <paramref name="signature"/> does not authorize <paramref name="method"/>(<paramref name="arguments"/>) now; null
    /// when it does. <paramref name="certificateProblem"/> says whether a certificate is an administrator's of the cluster.
    /// </summary>
    public static string? Problem(AdminSignature? signature, string clusterId, string method, IReadOnlyList<object?> arguments,
        Func<X509Certificate2, string?> certificateProblem, DateTimeOffset now)
    {
        if (signature is null) return "it is not signed by an administrator (set tls.admin_certificate and tls.admin_key in the client's raft.toml; scripts/make-certs.sh makes admin.crt)";
        if (signature.CertificatePem is null || signature.Signature is null) return "its signature is incomplete";
        var earliest = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
        var latest = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();
        if (signature.SignedAtMs < earliest || signature.SignedAtMs > latest) return "its signature's time is not a time";
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(signature.CertificatePem);
        }
        catch (CryptographicException)
        {
            return "its signature carries no readable certificate";
        }
        using (certificate)
        {
            if (certificateProblem(certificate) is { } problem) return $"its signer is no administrator of this cluster: {problem}";
            var age = now - DateTimeOffset.FromUnixTimeMilliseconds(signature.SignedAtMs);
            if (age > MaxAge) return $"it was signed {age.TotalSeconds:F0} s ago, more than {MaxAge.TotalSeconds:F0} s";
            if (-age > MaxClockAhead) return $"it is dated {-age.TotalSeconds:F0} s in the future, more than {MaxClockAhead.TotalSeconds:F0} s (check the clocks)";
            var payload = Payload(clusterId, method, arguments, signature.SignedAtMs);
            using var ec = certificate.GetECDsaPublicKey();
            using var rsa = ec is null ? certificate.GetRSAPublicKey() : null;
            var valid = ec?.VerifyData(payload, signature.Signature, HashAlgorithmName.SHA256)
                ?? rsa?.VerifyData(payload, signature.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss) ?? false;
            return valid ? null : "its signature does not match the order (it was signed for another one, or altered)";
        }
    }

    /// <summary>The bytes signed: a version tag, the cluster, the method, each argument as invariant text, and the time.</summary>
    private static byte[] Payload(string clusterId, string method, IReadOnlyList<object?> arguments, long signedAtMs) =>
        Encoding.UTF8.GetBytes($"raftorleans-admin-order/2|{clusterId}|{method}|{string.Join("|", arguments.Select(Text))}|{signedAtMs}");

    private static string Text(object? argument) => argument switch
    {
        null => "null",
        int[] numbers => "[" + string.Join(",", numbers) + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => argument.ToString() ?? "",
    };
}

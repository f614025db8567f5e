using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RaftOrleans.Configuration;

/// <summary>
/// The certificates of raft.toml's [tls]: this process's own (a silo's or a client's, with its private key) and the
/// authorities whose certificates it accepts, and the one rule for accepting the other end of a connection: its
/// certificate was issued by one of those authorities and has a role this end accepts. The role is the certificate
/// subject's organizational unit (OU): <see cref="SiloRole"/>, <see cref="ClientRole"/> or <see cref="AdminRole"/> (scripts/make-certs.sh
/// writes them), so a client's certificate, valid as it is, cannot open a silo-to-silo connection.
/// </summary>
public sealed class ClusterCertificates
{
    public const string SiloRole = "silo";
    public const string ClientRole = "client";
    public const string AdminRole = "admin";

    /// <summary>The name a TLS client asks for; certificates are checked by authority and role, not by host name.</summary>
    public const string ServerName = "raftorleans";

    private const string OrganizationalUnitOid = "2.5.4.11";

    private ClusterCertificates(X509Certificate2 own, X509Certificate2Collection authorities)
    {
        Own = own;
        Authorities = authorities;
    }

    /// <summary>This process's certificate, with its private key.</summary>
    public X509Certificate2 Own { get; }

    /// <summary>The authorities (tls.ca) whose certificates are accepted.</summary>
    public X509Certificate2Collection Authorities { get; }

    /// <summary>A silo's certificates: tls.certificate and tls.key, role silo.</summary>
    public static ClusterCertificates ForSilo(TlsSettings tls) => Load(tls, tls.Certificate, tls.Key, "certificate", "key", SiloRole);

    /// <summary>A client's certificates: tls.client_certificate and tls.client_key, role client.</summary>
    public static ClusterCertificates ForClient(TlsSettings tls) =>
        Load(tls, tls.ClientCertificate, tls.ClientKey, "client_certificate", "client_key", ClientRole);

    /// <summary>An administrator's certificates: tls.admin_certificate and tls.admin_key, role admin; null when none is set.</summary>
    public static ClusterCertificates? ForAdmin(TlsSettings tls) => string.IsNullOrWhiteSpace(tls.AdminCertificate)
        ? null
        : Load(tls, tls.AdminCertificate, tls.AdminKey, "admin_certificate", "admin_key", AdminRole);

    /// <summary>
    /// Whether the other end's <paramref name="certificate"/> was issued by one of <see cref="Authorities"/> (the
    /// system's trusted roots play no part) and carries one of <paramref name="roles"/>.
    /// </summary>
    public bool Accepts(X509Certificate2 certificate, params string[] roles) => Problem(certificate, roles) is null;

    /// <summary>Why <paramref name="certificate"/> is not accepted for <paramref name="roles"/>; null when it is.</summary>
    public string? Problem(X509Certificate2 certificate, params string[] roles)
    {
        using var chain = new X509Chain();
        try
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(Authorities);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (!chain.Build(certificate))
            {
                var status = string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
                return $"{certificate.Subject} was not issued by the cluster's authority ({status})";
            }
        }
        finally
        {
            // The chain's elements are certificates of their own, which disposing the chain leaves behind.
            foreach (var element in chain.ChainElements) element.Certificate.Dispose();
        }
        var role = RoleOf(certificate);
        return roles.Contains(role) ? null : $"{certificate.Subject} has the role '{role ?? "none"}', not {string.Join(" or ", roles)}";
    }

    /// <summary>The certificate's role: its subject's organizational unit.</summary>
    public static string? RoleOf(X509Certificate2 certificate) =>
        certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => rdn.GetSingleElementType().Value == OrganizationalUnitOid)
            .Select(rdn => rdn.GetSingleElementValue())
            .FirstOrDefault();

    private static ClusterCertificates Load(TlsSettings tls, string certificatePath, string keyPath, string certificateKey, string keyKey, string role)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(Existing(tls.Ca, "ca"));
        }
        catch (CryptographicException error)
        {
            throw Problem("ca", $"{tls.Ca} holds no readable PEM certificate ({error.Message})", error);
        }
        if (authorities.Count == 0) throw Problem("ca", $"{tls.Ca} holds no PEM certificate");

        X509Certificate2 own;
        try
        {
            own = X509Certificate2.CreateFromPemFile(Existing(certificatePath, certificateKey), Existing(keyPath, keyKey));
        }
        catch (Exception error) when (error is CryptographicException or ArgumentException and not ArgumentNullException)
        {
            throw Problem(certificateKey, $"{certificatePath} with the key {keyPath} is no PEM certificate and matching private key ({error.Message})", error);
        }
        var certificates = new ClusterCertificates(own, authorities);
        if (certificates.Problem(own, role) is { } problem)
        {
            throw Problem(certificateKey, $"{certificatePath}: {problem}; make one with scripts/make-certs.sh");
        }
        return certificates;
    }

    private static string Existing(string path, string key) =>
        File.Exists(path) ? path : throw Problem(key, $"{path}: no such file (looked for {Path.GetFullPath(path)}); scripts/make-certs.sh makes the certificates");

    private static RaftConfigException Problem(string key, string message, Exception? inner = null) => inner is null
        ? new("raft.toml", [$"raft.toml: tls.{key}: {message}"])
        : new("raft.toml", $"raft.toml: tls.{key}: {message}", inner);
}

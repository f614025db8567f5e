namespace RaftOrleans.Configuration;

/// <summary>
/// The <c>[tls]</c> section: TLS with mutual authentication by certificate on every connection (silo to silo, client
/// to gateway). Off by default, so that the embedded one-silo store (127.0.0.1 only) needs no certificate.
/// Paths are PEM files, relative to the working directory of the process that reads them (like storage.data_dir);
/// scripts/make-certs.sh makes them all.
/// </summary>
public sealed record TlsSettings
{
    /// <summary><c>enabled</c>: every connection is TLS, and both ends show a certificate issued by <see cref="Ca"/>. Default false.</summary>
    public bool Enabled { get; init; }

    /// <summary>
    /// <c>ca</c>: the certificate of the cluster's authority (or several, one after another in the file, while an
    /// authority is being replaced). Only certificates it issued are accepted. Default certs/ca.crt.
    /// </summary>
    public string Ca { get; init; } = "certs/ca.crt";

    /// <summary><c>certificate</c>: the silo's certificate (organizational unit "silo"). Default certs/silo.crt.</summary>
    public string Certificate { get; init; } = "certs/silo.crt";

    /// <summary><c>key</c>: the silo certificate's private key. Default certs/silo.key.</summary>
    public string Key { get; init; } = "certs/silo.key";

    /// <summary><c>client_certificate</c>: the client console's certificate (organizational unit "client"). Default certs/client.crt.</summary>
    public string ClientCertificate { get; init; } = "certs/client.crt";

    /// <summary><c>client_key</c>: the client certificate's private key. Default certs/client.key.</summary>
    public string ClientKey { get; init; } = "certs/client.key";

    /// <summary>
    /// <c>admin_certificate</c>: an administrator's certificate (organizational unit "admin"), with which the client
    /// console signs administrative orders (membership, leadership transfer, fault injection) so that silos whose
    /// gateways listen beyond their machine take them. Default "": none (only loopback gateways take such orders).
    /// </summary>
    public string AdminCertificate { get; init; } = "";

    /// <summary><c>admin_key</c>: the administrator certificate's private key. Default "".</summary>
    public string AdminKey { get; init; } = "";
}

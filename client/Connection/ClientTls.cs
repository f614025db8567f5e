using RaftOrleans.Configuration;

namespace RaftOrleans.Client.Connection;

/// <summary>raft.toml's [tls] on a client's connections to the gateways, as the silos do it (the silo's SiloTls).</summary>
internal static class ClientTls
{
    /// <summary>This client shows its certificate, and a gateway must show a silo certificate of the cluster's authority.</summary>
    public static IClientBuilder UseClusterTls(this IClientBuilder client, ClusterCertificates certificates) =>
        client.UseTls(certificates.Own, options =>
        {
            options.RemoteCertificateValidation = (certificate, _, _) => certificates.Accepts(certificate, ClusterCertificates.SiloRole);
            options.OnAuthenticateAsClient = (_, authentication) => authentication.TargetHost = ClusterCertificates.ServerName;
        });
}

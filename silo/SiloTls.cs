using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Connections.Security;
using RaftOrleans.Configuration;

namespace RaftOrleans.Silo;

/// <summary>
/// raft.toml's [tls] on a silo's three kinds of connection (Orleans' Microsoft.Orleans.Connections.Security), each
/// requiring a certificate from the other end, issued by the cluster's authority, of the role that end may have: the
/// silo port takes silos only (a client's certificate, valid as it is, cannot join as a silo or send Raft messages);
/// the gateway port takes clients and administrators (and silos); a silo connecting to another accepts only a silo at the other end.
/// </summary>
public static partial class SiloTls
{
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, ClusterCertificates certificates) =>
        silo.Configure<SiloConnectionOptions>(connections =>
        {
            connections.ConfigureSiloInboundConnection(builder =>
                builder.UseServerTls(Options(builder, certificates, "silo port", ClusterCertificates.SiloRole)));
            connections.ConfigureGatewayInboundConnection(builder =>
                builder.UseServerTls(Options(builder, certificates, "gateway port", ClusterCertificates.ClientRole, ClusterCertificates.AdminRole, ClusterCertificates.SiloRole)));
            connections.ConfigureSiloOutboundConnection(builder =>
                builder.UseClientTls(Options(builder, certificates, "connection to a silo", ClusterCertificates.SiloRole)));
        });

    private static TlsOptions Options(IConnectionBuilder builder, ClusterCertificates certificates, string where, params string[] roles)
    {
        var logger = builder.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SiloTls));
        return new()
        {
            LocalCertificate = certificates.Own,
            RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
            ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
            // Trust is the cluster's authority and the role, not the system's roots or a host name.
            RemoteCertificateValidation = (certificate, _, _) =>
            {
                if (certificates.Problem(certificate, roles) is not { } problem) return true;
                LogRefused(logger, where, problem);
                return false;
            },
            OnAuthenticateAsClient = (_, options) => options.TargetHost = ClusterCertificates.ServerName,
        };
    }

    [LoggerMessage(EventId = 1400, Level = LogLevel.Warning, Message = "TLS: refused a certificate on the {Where}: {Problem}")]
    private static partial void LogRefused(ILogger logger, string where, string problem);
}

using RaftOrleans.Configuration;
using Xunit;

namespace RaftOrleans.Tests.Security;

/// <summary>raft.toml's [tls] files: loaded when right, one line naming the key and the reason when not.</summary>
public class ClusterCertificatesTests
{
    [Fact]
    public void The_scripts_certificates_load_with_their_roles()
    {
        var silo = ClusterCertificates.ForSilo(TestCertificates.Settings(TestCertificates.Cluster));
        var client = ClusterCertificates.ForClient(TestCertificates.Settings(TestCertificates.Cluster));

        Assert.True(silo.Own.HasPrivateKey);
        Assert.Equal(ClusterCertificates.SiloRole, ClusterCertificates.RoleOf(silo.Own));
        Assert.Equal(ClusterCertificates.ClientRole, ClusterCertificates.RoleOf(client.Own));
        Assert.True(silo.Accepts(client.Own, ClusterCertificates.ClientRole));
        Assert.False(silo.Accepts(client.Own, ClusterCertificates.SiloRole));
    }

    [Fact]
    public void A_certificate_of_another_authority_is_not_accepted()
    {
        var ours = ClusterCertificates.ForSilo(TestCertificates.Settings(TestCertificates.Cluster));
        var theirs = ClusterCertificates.ForClient(TestCertificates.Settings(TestCertificates.Foreign));

        Assert.Contains("was not issued by the cluster's authority", ours.Problem(theirs.Own, ClusterCertificates.ClientRole));
    }

    [Fact]
    public void An_authority_being_replaced_is_a_file_of_both_and_accepts_the_certificates_of_each()
    {
        var both = Path.Combine(Directory.CreateTempSubdirectory("raft-ca-").FullName, "ca.crt");
        File.WriteAllText(both, File.ReadAllText(Path.Combine(TestCertificates.Cluster, "ca.crt")) + File.ReadAllText(Path.Combine(TestCertificates.Foreign, "ca.crt")));
        var silo = ClusterCertificates.ForSilo(TestCertificates.Settings(TestCertificates.Cluster) with { Ca = both });

        Assert.True(silo.Accepts(ClusterCertificates.ForClient(TestCertificates.Settings(TestCertificates.Foreign)).Own, ClusterCertificates.ClientRole));
        Assert.True(silo.Accepts(ClusterCertificates.ForClient(TestCertificates.Settings(TestCertificates.Cluster)).Own, ClusterCertificates.ClientRole));
    }

    [Fact]
    public void Each_wrong_file_is_one_line_naming_its_key()
    {
        var cluster = TestCertificates.Settings(TestCertificates.Cluster);
        var missing = Assert.Throws<RaftConfigException>(() => ClusterCertificates.ForSilo(cluster with { Certificate = "no/such.crt" }));
        Assert.StartsWith("raft.toml: tls.certificate: no/such.crt: no such file", missing.Message);

        var noCa = Assert.Throws<RaftConfigException>(() => ClusterCertificates.ForClient(cluster with { Ca = "nowhere/ca.crt" }));
        Assert.StartsWith("raft.toml: tls.ca: nowhere/ca.crt: no such file", noCa.Message);

        // A silo given the client's certificate, a client given a certificate of another authority.
        var wrongRole = Assert.Throws<RaftConfigException>(() => ClusterCertificates.ForSilo(cluster with { Certificate = cluster.ClientCertificate, Key = cluster.ClientKey }));
        Assert.Contains("has the role 'client', not silo", wrongRole.Message);
        var foreign = Assert.Throws<RaftConfigException>(() => ClusterCertificates.ForClient(TestCertificates.Settings(TestCertificates.Cluster, clientFrom: TestCertificates.Foreign)));
        Assert.Contains("tls.client_certificate", foreign.Message);
        Assert.Contains("was not issued by the cluster's authority", foreign.Message);

        // A key that is not the certificate's.
        var mismatched = Assert.Throws<RaftConfigException>(() => ClusterCertificates.ForSilo(cluster with { Key = cluster.ClientKey }));
        Assert.StartsWith("raft.toml: tls.certificate:", mismatched.Message);
        Assert.All(new[] { missing, noCa, wrongRole, foreign, mismatched }, e => Assert.DoesNotContain('\n', e.Message));
    }

    [Fact]
    public void With_tls_on_every_file_must_be_named()
    {
        var error = Assert.Throws<RaftConfigException>(() => RaftConfigLoader.Parse("[tls]\nenabled = true\nkey = \"\"\n", "raft.toml"));
        Assert.Contains("tls.key: must name a PEM file when tls.enabled is true", error.Message);
        Assert.False(RaftConfigLoader.Parse("[tls]\nkey = \"\"\n", "raft.toml").Tls.Enabled); // off: nothing is read

        var half = Assert.Throws<RaftConfigException>(() => RaftConfigLoader.Parse("[tls]\nenabled = true\nadmin_certificate = \"certs/admin.crt\"\n", "raft.toml"));
        Assert.Contains("tls.admin_key: tls.admin_certificate and tls.admin_key go together", half.Message);
    }

    [Fact]
    public void An_administrators_certificate_loads_only_with_the_admin_role()
    {
        var cluster = TestCertificates.Settings(TestCertificates.Cluster);
        Assert.Null(ClusterCertificates.ForAdmin(cluster));
        var admin = ClusterCertificates.ForAdmin(cluster with
        {
            AdminCertificate = Path.Combine(TestCertificates.Cluster, "admin.crt"), AdminKey = Path.Combine(TestCertificates.Cluster, "admin.key"),
        });
        Assert.Equal(ClusterCertificates.AdminRole, ClusterCertificates.RoleOf(admin!.Own));
        var client = Assert.Throws<RaftConfigException>(() => ClusterCertificates.ForAdmin(cluster with { AdminCertificate = cluster.ClientCertificate, AdminKey = cluster.ClientKey }));
        Assert.Contains("tls.admin_certificate", client.Message);
        Assert.Contains("has the role 'client', not admin", client.Message);
    }
}

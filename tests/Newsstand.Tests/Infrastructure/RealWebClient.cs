using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// The real web client on Kestrel, listening on free TCP ports of 127.0.0.1: its URL (HTTP/1.1), an HTTPS port
/// (HTTP/1.1 and HTTP/2, with a throwaway self-signed certificate) and an h2c port (HTTP/2 without TLS).
/// </summary>
internal sealed class RealWebClient : IAsyncDisposable
{
    private const string CertificatePassword = "test-only";

    private readonly WebApplicationFactory<Program> _factory;
    private readonly string _certificate;
    private readonly string _thumbprint;

    private RealWebClient(ClusterFixture fixture)
    {
        _certificate = Path.Combine(Path.GetTempPath(), $"nsms-test-cert-{Guid.NewGuid():N}.pfx");
        using var certificate = SelfSigned();
        _thumbprint = certificate.GetCertHashString();
        File.WriteAllBytes(_certificate, certificate.Export(X509ContentType.Pfx, CertificatePassword));
        (HttpPort, HttpsPort, H2cPort) = (FreePort(), FreePort(), FreePort());
        _factory = fixture.CreateWebClient(
            ("urls", $"http://127.0.0.1:{HttpPort}"),
            ("HttpEndpoints:Host", "127.0.0.1"),
            ("HttpEndpoints:HttpsPort", HttpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("HttpEndpoints:CertificatePath", _certificate),
            ("HttpEndpoints:CertificatePassword", CertificatePassword),
            ("HttpEndpoints:H2cPort", H2cPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        _factory.UseKestrel();
        _factory.StartServer();
    }

    public int HttpPort { get; }

    public int HttpsPort { get; }

    public int H2cPort { get; }

    public IServiceProvider Services => _factory.Services;

    public static RealWebClient Start(ClusterFixture fixture) => new(fixture);

    /// <summary>A client of the plain HTTP/1.1 URL.</summary>
    public HttpClient Http() => new() { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}") };

    /// <summary>A client that speaks only HTTP/2: over TLS to the HTTPS port (trusting the test certificate), or h2c.</summary>
    public HttpClient Http2(bool tls) => new(new SocketsHttpHandler
    {
        // Only the throwaway certificate this server was given is trusted.
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == _thumbprint },
    })
    {
        BaseAddress = new Uri(tls ? $"https://127.0.0.1:{HttpsPort}" : $"http://127.0.0.1:{H2cPort}"),
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        File.Delete(_certificate);
    }

    private static int FreePort() => LoopbackPorts.Free();

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
    }
}

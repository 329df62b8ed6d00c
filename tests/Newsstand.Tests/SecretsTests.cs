using System.Text.RegularExpressions;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests;

/// <summary>No secret is committed: secrets come from configuration, the environment or mounted files.</summary>
public sealed partial class SecretsTests
{
    /// <summary>What a committed secret looks like; each pattern needs a real value, not a placeholder such as <c>...</c>.</summary>
    private static readonly (string Kind, Regex Pattern)[] Detectors =
    [
        ("private key", PrivateKey()),
        ("password in a connection string", ConnectionPassword()),
        ("credentials in a URL", UrlCredentials()),
        ("AWS access key", AwsKey()),
        ("GitHub token", GitHubToken()),
        ("Slack token", SlackToken()),
        ("JSON web token", JsonWebToken()),
        ("assigned secret", AssignedSecret()),
    ];

    public static TheoryData<string, string> Samples => new()
    {
        // Assembled at run time, so this file itself never holds a match.
        { "private key", "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEow" },
        { "private key", "-----BEGIN " + "OPENSSH PRIVATE KEY-----" },
        { "password in a connection string", "Host=db;Username=nsms;Pass" + "word=Tr0ub4dor&3" },
        { "password in a connection string", "\"Server=sql;User Id=sa;P" + "wd=hunter2hunter2;\"" },
        { "credentials in a URL", "redis://admin:" + "s3cr3tpass@cache:6379" },
        { "AWS access key", "AKIA" + "IOSFODNN7EXAMPLE" },
        { "GitHub token", "ghp_" + new string('a', 36) },
        { "Slack token", "xoxb-" + "1234567890-abcdefghij" },
        { "JSON web token", "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U" },
        { "assigned secret", "\"EncryptionKey\": \"" + "q83vEjRWeJCrze8SNFZ4mg==\"" },
        { "assigned secret", "api_key = '" + "0123456789abcdef0123456789abcdef'" },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void TheScannerRecognisesEachKindOfSecret(string kind, string sample) =>
        Assert.Contains(kind, Find(sample));

    [Theory]
    [InlineData("Host=db;Database=nsms;Username=nsms;Password=...")]
    [InlineData("Password=${PGPASSWORD}")]
    [InlineData("\"password\": \"s3cret-pass\"")]
    [InlineData("Database__Postgres=Host=db;Password=<from a secret>")]
    [InlineData("var hash = PasswordHasher.Hash(login.Password);")]
    [InlineData("new LoginEntity { Id = login.Id, Password = hash }")]
    [InlineData("curl http://localhost:8000/ch08/vendor/list")]
    public void PlaceholdersAndCodeAreNotSecrets(string text) => Assert.Empty(Find(text));

    [Fact]
    public async Task NoTrackedFileHoldsASecret()
    {
        var root = Repository.Root;
        var files = (await Commands.RunAsync("git", "-C", root, "ls-files", "-z")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("Orleans.sln", files);

        var findings = new List<string>();
        foreach (var file in files)
        {
            var path = Path.Combine(root, file);
            if (!File.Exists(path) || new FileInfo(path).Length > 5_000_000)
            {
                continue;
            }
            var lines = File.ReadAllLines(path);
            for (var i = 0; i < lines.Length; i++)
            {
                findings.AddRange(Find(lines[i]).Select(kind => $"{file}:{i + 1}: {kind}"));
            }
        }

        Assert.True(findings.Count == 0, "Secrets in tracked files:\n" + string.Join('\n', findings));
    }

    private static List<string> Find(string text) => [.. Detectors.Where(d => d.Pattern.IsMatch(text)).Select(d => d.Kind)];

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----")]
    private static partial Regex PrivateKey();

    // Password=<value> as a connection string spells it (no spaces around '=', unlike an assignment in
    // code), unless the value is a placeholder: ..., ${VAR}, $(VAR) or <...>.
    [GeneratedRegex(@"(?i)(^|[;""'\s])(password|pwd)=(?!\.\.\.|\$\{|\$\(|<)[^;""'\s]{4,}")]
    private static partial Regex ConnectionPassword();

    [GeneratedRegex(@"\b[a-z][a-z0-9+.-]*://[^/\s:@""']+:(?!\$\{|<)[^/\s@""']{3,}@[\w.-]+")]
    private static partial Regex UrlCredentials();

    [GeneratedRegex(@"\b(AKIA|ASIA)[0-9A-Z]{16}\b")]
    private static partial Regex AwsKey();

    [GeneratedRegex(@"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})")]
    private static partial Regex GitHubToken();

    [GeneratedRegex(@"\bxox[abposr]-[A-Za-z0-9-]{10,}")]
    private static partial Regex SlackToken();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")]
    private static partial Regex JsonWebToken();

    // A key, secret, token or password assigned a long random-looking literal (16+ base64/hex characters).
    [GeneratedRegex(@"(?i)(secret|token|api[_-]?key|encryption[_-]?key|access[_-]?key|client[_-]?secret)[""']?\s*[:=]\s*[""'][A-Za-z0-9+/=_-]{16,}[""']")]
    private static partial Regex AssignedSecret();
}

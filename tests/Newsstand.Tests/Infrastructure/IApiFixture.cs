using Newsstand.Data;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// What the API's contract tests need of a running service, whichever form serves the API: the separate web
/// client on a silo's gateway (<see cref="ClusterFixture"/>) or a silo serving it itself (<see cref="CoHostedFixture"/>).
/// A contract test class is abstract over this and has one nested class per form, so each test runs against both.
/// </summary>
public interface IApiFixture
{
    /// <summary>A client of the API with generous abuse limits (tests other than the abuse tests never meet one).</summary>
    HttpClient Http { get; }

    /// <summary>The database the service writes to, to check what a request committed (or did not).</summary>
    internal NewsstandDbContext OpenDatabase();
}

namespace Newsstand.Api.Access;

/// <summary>Who may call what (section <c>Auth</c>): <see cref="AccessMode.Required"/> by default.</summary>
public sealed class AccessOptions
{
    public const string SectionName = "Auth";

    public AccessMode Mode { get; set; } = AccessMode.Required;
}

public enum AccessMode
{
    /// <summary>Callers sign in; each route's policy applies (SPEC §9).</summary>
    Required,

    /// <summary>The original's anonymous contract: every route open to anyone (demos, the side-by-side bench). Logged as a warning at start.</summary>
    Open,
}

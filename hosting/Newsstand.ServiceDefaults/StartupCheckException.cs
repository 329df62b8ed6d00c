namespace Newsstand.Hosting;

/// <summary>A host cannot start as configured; the message says what to change.</summary>
public sealed class StartupCheckException(string message) : Exception(message);

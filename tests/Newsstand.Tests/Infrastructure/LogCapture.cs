using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Newsstand.Tests.Infrastructure;

/// <summary>Keeps every log line (Debug and up) of the test silos and web clients, exceptions included.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    public static LogCapture Shared { get; } = new();

    public ConcurrentQueue<string> Lines { get; } = new();

    public static void AddTo(ILoggingBuilder logging) =>
        logging.AddProvider(Shared).AddFilter<LogCapture>(null, LogLevel.Debug);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture.Lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
    }
}

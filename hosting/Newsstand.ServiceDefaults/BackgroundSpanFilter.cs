using System.Diagnostics;
using OpenTelemetry;

namespace Newsstand.Hosting;

/// <summary>
/// Drops Orleans runtime spans that start a trace of their own (timers, membership probes, manifest
/// updates: several a second per silo, none caused by a request). Runtime spans inside a request's
/// trace stay. Runs before the exporters, which skip spans no longer marked as recorded.
/// </summary>
public sealed class BackgroundSpanFilter : BaseProcessor<Activity>
{
    public const string RuntimeSource = "Microsoft.Orleans.Runtime";

    public override void OnEnd(Activity data)
    {
        if (data.Source.Name == RuntimeSource && data.ParentSpanId == default)
        {
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}

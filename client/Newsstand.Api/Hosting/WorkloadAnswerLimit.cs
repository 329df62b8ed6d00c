using Microsoft.Extensions.Options;
using Newsstand.Errors;
using Newsstand.Hosting;

namespace Newsstand.Api.Hosting;

/// <summary>
/// Bounds the answers of a whole-table workload route that stream at once (<see cref="WorkloadAnswerOptions"/>): a
/// request takes a place before its handler runs and gives it back when its response has ended (sent in full, failed,
/// or abandoned by the client); with no place free it answers 503 problem+json with <c>Retry-After</c> at once.
/// </summary>
internal static class WorkloadAnswerLimit
{
    public static RouteHandlerBuilder LimitConcurrentAnswers(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilterFactory((factory, next) =>
        {
            var options = factory.ApplicationServices.GetRequiredService<IOptions<WorkloadAnswerOptions>>().Value;
            var places = new SemaphoreSlim(options.ConcurrentPerRoute, options.ConcurrentPerRoute);
            return async context =>
            {
                if (!places.Wait(0))
                {
                    throw new OverloadedException($"answers of {context.HttpContext.Request.Path}", (int)Math.Ceiling(options.RetryAfter.TotalSeconds));
                }
                context.HttpContext.Response.RegisterForDispose(new Place(places));
                return await next(context);
            };
        }).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    public static WebApplicationBuilder AddWorkloadAnswerLimit(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<WorkloadAnswerOptions>(WorkloadAnswerOptions.SectionName);
        return builder;
    }

    /// <summary>A taken place, given back once when the request's response has ended.</summary>
    private sealed class Place(SemaphoreSlim places) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                places.Release();
            }
        }
    }
}

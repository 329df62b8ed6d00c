using Newsstand.Api.Binding;

namespace Newsstand.Api.Errors;

/// <summary>
/// The one answer for a body refused as a whole. A body too large (413) or not JSON (415) is noticed
/// by different layers: the JSON binder, Kestrel's size limit while the binder reads, routing's
/// content-type check before any endpoint runs. Whichever it was, the client sees the same problem:
/// the same title and an <c>errors</c> entry for <c>body</c>.
/// </summary>
internal static class BodyProblems
{
    public static readonly string TooLarge = $"The body is larger than {RequestLimits.MaxBodyBytes} bytes.";

    public const string NotJson = "The body must be uncompressed JSON (Content-Type: application/json, no Content-Encoding).";

    public static RequestValidationException TooLargeError() => RequestValidationException.For("body", TooLarge, StatusCodes.Status413PayloadTooLarge);

    public static RequestValidationException NotJsonError() => RequestValidationException.For("body", NotJson, StatusCodes.Status415UnsupportedMediaType);

    /// <summary>Gives every 413 and 415 problem, whoever writes it, the one shape (a <see cref="ProblemDetailsOptions.CustomizeProblemDetails"/> hook).</summary>
    public static void Shape(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var (title, message) = problem.Status switch
        {
            StatusCodes.Status413PayloadTooLarge => ("The request body is too large.", TooLarge),
            StatusCodes.Status415UnsupportedMediaType => ("The request body has an unsupported media type.", NotJson),
            _ => (null, null),
        };
        if (message is null)
        {
            return;
        }
        problem.Title = title;
        problem.Detail = null;
        if (problem is HttpValidationProblemDetails validation)
        {
            validation.Errors.Clear();
            validation.Errors["body"] = [message];
        }
        else
        {
            problem.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = [message] };
        }
    }
}

using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Newsstand.Api.Access;
using Newsstand.Api.Binding;
using Newsstand.Api.Hosting;
using Newsstand.Api.Idempotency;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Api.Apis;

/// <summary>The record routes of the original API: one add per table and the original list routes.</summary>
internal static class RecordsApi
{
    public static RouteGroupBuilder MapRecordsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/ch08").WithTags("Records");

        // POST /ch08/login/add is in LoginApi: a password is hashed on its way in.
        group.MapAdd<AdminRecord>("/admin/add").WithName("AddAdmin").RequireAdmin();
        group.MapAdd<VendorRecord>("/vendor/add").WithName("AddVendor").RequireSignedIn();
        group.MapAdd<CustomerRecord>("/customer/add").WithName("AddCustomer").RequireSignedIn();
        group.MapAdd<BillingRecord>("/billing/add").WithName("AddBilling").RequireSignedIn();
        group.MapAdd<MessengerRecord>("/messenger/add").WithName("AddMessenger").RequireSignedIn();
        group.MapAdd<PublicationRecord>("/publication/add").WithName("AddPublication").RequireSignedIn();
        group.MapAdd<ContentRecord>("/content/add").WithName("AddContent").RequireSignedIn();
        group.MapAdd<SalesRecord>("/sales/add").WithName("AddSales").RequireSignedIn();
        group.MapAdd<SubscriptionRecord>("/subscription/add").WithName("AddSubscription").RequireSignedIn();

        group.MapList<VendorRecord>("/vendor/list", "ListVendors", "HeadVendors").RequireSignedIn();
        group.MapList<PublicationRecord>("/publication/list", "ListPublications", "HeadPublications").RequireSignedIn();
        group.MapList<ContentRecord>("/content/list", "ListContents", "HeadContents").RequireSignedIn();
        group.MapList<SubscriptionRecord>("/subscription/list/all", "ListSubscriptions", "HeadSubscriptions").RequireSignedIn();

        group.MapPost("/admin/login/list", (PageQuery query, IGrainFactory grains, RetriedReads reads, HttpContext http) =>
                new StreamedListResult(reads.Of<ListRead, ListSlice>(grains.GetGrain<IAdminLoginListGrain>(0).ReadJsonAsync, http.RequestAborted), query.Page))
            .RequireAdmin()
            .WithName("ListAdminLogins")
            .Produces<AdminRecord[]>(StatusCodes.Status200OK, "application/json")
            .AddOpenApiOperationTransformer(OpenApiDescription.AdminWithLoginAsync)
            .ProducesValidationProblem()
            .WithSummary("Admins ordered by id, each with its login (never a password or hash).");

        return group;
    }

    /// <summary>
    /// A list route of the original API: the table ordered by id, streamed, with optional limit and offset, tagged with
    /// the table's version (<c>ETag</c>, <c>If-None-Match</c> answered 304), its reads retried through a silo's death
    /// (whole lists asked together share one read, <see cref="WholeListReads"/>);
    /// and its <c>HEAD</c> (the same headers, no body), a separate operation so that each has its own name and answers.
    /// </summary>
    /// <returns>Both operations, so that an access policy applies to the pair.</returns>
    public static EndpointPair MapList<TRecord>(this IEndpointRouteBuilder group, string path, string getName, string headName, string? summary = null)
        where TRecord : ITableRecord
    {
        summary ??= $"{TableSchema.NameOf<TRecord>()} records ordered by id; optional limit and offset; ETag and If-None-Match (304).";
        var get = group.MapGet(path, List)
            .WithName(getName)
            .Produces<TRecord[]>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesValidationProblem()
            .WithSummary(summary);
        var head = group.MapMethods(path, [HttpMethods.Head], List)
            .WithName(headName)
            .Produces(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesValidationProblem()
            .WithSummary($"The headers of GET {path} (Content-Type, ETag; Content-Length when the list is short), without the body.");

        return new EndpointPair(get, head);

        static StreamedListResult List(PageQuery query, WholeListReads lists, RetriedReads reads, HttpContext http) =>
            new(reads.OfAttempts<ListRead, ListSlice>(lists.ReadJsonAsync<TRecord>, http.RequestAborted), query.Page,
                reads.Of(lists.VersionAsync<TRecord>, http.RequestAborted));
    }

    /// <summary>An add route of the original API: the record committed by the owner of its id, answered as stored.</summary>
    private static RouteHandlerBuilder MapAdd<TRecord>(this RouteGroupBuilder group, string path) where TRecord : class, ITableRecord
    {
        var table = TableSchema.NameOf<TRecord>();
        return group.MapPost(path, async Task<Ok<TRecord>> (JsonBody<TRecord> body, OwnerReferences owners, HttpContext context, IOptions<JsonOptions> json) =>
                TypedResults.Ok(context.Features.Get<IdempotencyFeature>() is { } keyed
                    ? await AddKeyedAsync(body.Value, keyed, owners, json.Value.SerializerOptions)
                    : await owners.AddAsync(body.Value)))
            .Accepts<TRecord>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary($"Adds {(IsVowel(table[0]) ? "an" : "a")} {table} record; answers once it is committed.");
    }

    /// <summary>A keyed add: its answer (the record as stored, as this route writes it) is committed with the row itself.</summary>
    private static async Task<TRecord> AddKeyedAsync<TRecord>(TRecord record, IdempotencyFeature keyed, OwnerReferences owners, JsonSerializerOptions json)
        where TRecord : class, ITableRecord
    {
        var stored = await owners.AddKeyedAsync(record, keyed.OkAnswer(record, json));
        keyed.StoredWithEffect = true;
        return stored;
    }

    private static bool IsVowel(char letter) => "aeiou".Contains(char.ToLowerInvariant(letter));
}

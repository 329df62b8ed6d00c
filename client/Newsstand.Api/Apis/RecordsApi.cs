using Microsoft.AspNetCore.Http.HttpResults;
using Newsstand.Api.Binding;
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
        group.MapAdd<AdminRecord>("/admin/add");
        group.MapAdd<VendorRecord>("/vendor/add");
        group.MapAdd<CustomerRecord>("/customer/add");
        group.MapAdd<BillingRecord>("/billing/add");
        group.MapAdd<MessengerRecord>("/messenger/add");
        group.MapAdd<PublicationRecord>("/publication/add");
        group.MapAdd<ContentRecord>("/content/add");
        group.MapAdd<SalesRecord>("/sales/add");
        group.MapAdd<SubscriptionRecord>("/subscription/add");

        group.MapList<VendorRecord>("/vendor/list");
        group.MapList<PublicationRecord>("/publication/list");
        group.MapList<ContentRecord>("/content/list");
        group.MapList<SubscriptionRecord>("/subscription/list/all");

        group.MapPost("/admin/login/list", (PageQuery query, IGrainFactory grains) =>
                new StreamedListResult(grains.GetGrain<IAdminLoginListGrain>(0).ReadJsonAsync, query.Page))
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesValidationProblem()
            .WithSummary("Admins ordered by id, each with its login (never a password or hash).");

        return group;
    }

    /// <summary>A list route of the original API: the table ordered by id, streamed, with optional limit and offset.</summary>
    public static RouteHandlerBuilder MapList<TRecord>(this IEndpointRouteBuilder group, string path) where TRecord : ITableRecord =>
        group.MapMethods(path, [HttpMethods.Get, HttpMethods.Head], (PageQuery query, WholeListReads reads) =>
                new StreamedListResult(reads.ReadJsonAsync<TRecord>, query.Page))
            .Produces<TRecord[]>(StatusCodes.Status200OK, "application/json")
            .ProducesValidationProblem()
            .WithSummary($"{TableSchema.NameOf<TRecord>()} records ordered by id; optional limit and offset.");

    /// <summary>An add route of the original API: the record committed by the owner of its id, answered as stored.</summary>
    private static RouteHandlerBuilder MapAdd<TRecord>(this RouteGroupBuilder group, string path) where TRecord : class, ITableRecord
    {
        var table = TableSchema.NameOf<TRecord>();
        return group.MapPost(path, async Task<Ok<TRecord>> (JsonBody<TRecord> body, OwnerReferences owners) =>
                TypedResults.Ok(await owners.AddAsync(body.Value)))
            .Accepts<TRecord>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary($"Adds {(IsVowel(table[0]) ? "an" : "a")} {table} record; answers once it is committed.");
    }

    private static bool IsVowel(char letter) => "aeiou".Contains(char.ToLowerInvariant(letter));
}

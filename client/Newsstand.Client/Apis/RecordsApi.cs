using Microsoft.AspNetCore.Http.HttpResults;
using Newsstand.Client.Binding;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Client.Apis;

/// <summary>The record routes of the original API: one add per table and the original list routes.</summary>
internal static class RecordsApi
{
    public static RouteGroupBuilder MapRecordsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/ch08").WithTags("Records");

        group.MapAdd<AdminRecord, IAdminTableGrain>("admin");
        group.MapAdd<VendorRecord, IVendorTableGrain>("vendor");
        group.MapAdd<CustomerRecord, ICustomerTableGrain>("customer");
        group.MapAdd<BillingRecord, IBillingTableGrain>("billing");
        group.MapAdd<MessengerRecord, IMessengerTableGrain>("messenger");
        group.MapAdd<PublicationRecord, IPublicationTableGrain>("publication");
        group.MapAdd<ContentRecord, IContentTableGrain>("content");
        group.MapAdd<SalesRecord, ISalesTableGrain>("sales");
        group.MapAdd<SubscriptionRecord, ISubscriptionTableGrain>("subscription");

        group.MapList<VendorRecord, IVendorTableGrain>("/vendor/list");
        group.MapList<PublicationRecord, IPublicationTableGrain>("/publication/list");
        group.MapList<ContentRecord, IContentTableGrain>("/content/list");
        group.MapList<SubscriptionRecord, ISubscriptionTableGrain>("/subscription/list/all");

        group.MapPost("/admin/login/list", (PageQuery query, IGrainFactory grains) =>
                JsonBytesResult.FromAsync(grains.GetGrain<IAdminTableGrain>(TableGrainKey.Value).ListWithLoginsJsonAsync(query.Page)))
            .WithSummary("Admins ordered by id, each with its login (never a password or hash).");

        return group;
    }

    private static void MapAdd<TRecord, TGrain>(this RouteGroupBuilder group, string table)
        where TRecord : class, ITableRecord
        where TGrain : ITableGrain<TRecord>
    {
        group.MapPost($"/{table}/add", async Task<Ok<TRecord>> (JsonBody<TRecord> body, IGrainFactory grains) =>
                TypedResults.Ok(await grains.GetGrain<TGrain>(TableGrainKey.Value).AddAsync(body.Value)))
            .Accepts<TRecord>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary($"Adds a {table} record; answers once it is committed.");
    }

    private static void MapList<TRecord, TGrain>(this RouteGroupBuilder group, string path)
        where TRecord : class, ITableRecord
        where TGrain : ITableGrain<TRecord>
    {
        group.MapGet(path, (PageQuery query, IGrainFactory grains) => JsonBytesResult.FromAsync(grains.GetGrain<TGrain>(TableGrainKey.Value).ListJsonAsync(query.Page)))
            .Produces<TRecord[]>(StatusCodes.Status200OK, "application/json")
            .ProducesValidationProblem()
            .WithSummary("Records ordered by id; optional limit and offset.");
    }
}

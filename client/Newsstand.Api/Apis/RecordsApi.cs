using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Newsstand.Api.Access;
using Newsstand.Api.Binding;
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
        group.MapAdd<AdminRecord>("/admin/add").RequireAdmin();
        group.MapAdd<VendorRecord>("/vendor/add").RequireSignedIn();
        group.MapAdd<CustomerRecord>("/customer/add").RequireSignedIn();
        group.MapAdd<BillingRecord>("/billing/add").RequireSignedIn();
        group.MapAdd<MessengerRecord>("/messenger/add").RequireSignedIn();
        group.MapAdd<PublicationRecord>("/publication/add").RequireSignedIn();
        group.MapAdd<ContentRecord>("/content/add").RequireSignedIn();
        group.MapAdd<SalesRecord>("/sales/add").RequireSignedIn();
        group.MapAdd<SubscriptionRecord>("/subscription/add").RequireSignedIn();

        group.MapList<VendorRecord>("/vendor/list").RequireSignedIn();
        group.MapList<PublicationRecord>("/publication/list").RequireSignedIn();
        group.MapList<ContentRecord>("/content/list").RequireSignedIn();
        group.MapList<SubscriptionRecord>("/subscription/list/all").RequireSignedIn();

        group.MapPost("/admin/login/list", (PageQuery query, IGrainFactory grains) =>
                new StreamedListResult(grains.GetGrain<IAdminLoginListGrain>(0).ReadJsonAsync, query.Page))
            .RequireAdmin()
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesValidationProblem()
            .WithSummary("Admins ordered by id, each with its login (never a password or hash).");

        return group;
    }

    /// <summary>A list route of the original API: the table ordered by id, streamed, with optional limit and offset.</summary>
    public static RouteHandlerBuilder MapList<TRecord>(this IEndpointRouteBuilder group, string path) where TRecord : ITableRecord =>
        group.MapMethods(path, [HttpMethods.Get, HttpMethods.Head], (PageQuery query, IGrainFactory grains) =>
                new StreamedListResult(grains.TableIndex<TRecord>().ReadJsonAsync, query.Page))
            .Produces<TRecord[]>(StatusCodes.Status200OK, "application/json")
            .ProducesValidationProblem()
            .WithSummary($"{TableSchema.NameOf<TRecord>()} records ordered by id; optional limit and offset.");

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
        var answer = keyed.Answer(StatusCodes.Status200OK, "application/json; charset=utf-8", null, JsonSerializer.SerializeToUtf8Bytes(record, json));
        var stored = await owners.AddKeyedAsync(record, answer);
        keyed.StoredWithEffect = true;
        return stored;
    }

    private static bool IsVowel(char letter) => "aeiou".Contains(char.ToLowerInvariant(letter));
}

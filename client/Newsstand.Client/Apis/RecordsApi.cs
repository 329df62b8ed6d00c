using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Newsstand.Client.Binding;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Client.Apis;

/// <summary>The record routes of the original API: one add per table and the original list routes.</summary>
internal static class RecordsApi
{
    private static readonly MethodInfo MapAddMethod = typeof(RecordsApi).GetMethod(nameof(MapAdd), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static RouteGroupBuilder MapRecordsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/ch08").WithTags("Records");

        foreach (var record in TableSchema.Records)
        {
            MapAddMethod.MakeGenericMethod(record).Invoke(null, [group]);
        }

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
        group.MapMethods(path, [HttpMethods.Get, HttpMethods.Head], (PageQuery query, IGrainFactory grains) =>
                new StreamedListResult(grains.TableIndex<TRecord>().ReadJsonAsync, query.Page))
            .Produces<TRecord[]>(StatusCodes.Status200OK, "application/json")
            .ProducesValidationProblem()
            .WithSummary($"{TableSchema.NameOf<TRecord>()} records ordered by id; optional limit and offset.");

    private static void MapAdd<TRecord>(RouteGroupBuilder group) where TRecord : class, ITableRecord
    {
        var table = TableSchema.NameOf<TRecord>();
        group.MapPost($"/{table}/add", async Task<Ok<TRecord>> (JsonBody<TRecord> body, OwnerReferences owners) =>
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

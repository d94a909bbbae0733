using System.Security.Claims;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Identity;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>
/// The model price table: what a million input and output tokens of each model cost. Everyone signed in reads it;
/// platform admins set it. LLM usage is priced with it as it is recorded.
/// </summary>
internal static class ModelPricesApi
{
    /// <summary>The currency of every price and cost.</summary>
    public const string Currency = "USD";

    private const decimal MaxPrice = 1_000_000m;

    public static IEndpointRouteBuilder MapModelPricesApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1/model-prices").WithTags("Model prices");
        api.MapGet("", ListPrices).WithName("ListModelPrices").WithSummary("What each model's tokens cost (in USD per million)");
        api.MapPut("/{model}", SetPrice).WithName("SetModelPrice").WithSummary("Set a model's price (platform admins); later usage is priced with it")
            .RequirePlatformAdmin("set model prices (platform admins only)");
        api.MapDelete("/{model}", DeletePrice).WithName("DeleteModelPrice").WithSummary("Remove a model's price (platform admins)")
            .RequirePlatformAdmin("remove model prices (platform admins only)");
        return endpoints;
    }

    private static async Task<Ok<List<ModelPriceResponse>>> ListPrices(AdminDbContext db, CancellationToken cancellationToken)
    {
        var prices = await db.ModelPrices.AsNoTracking().OrderBy(price => price.Model).ToListAsync(cancellationToken);
        return TypedResults.Ok(prices.Select(ToResponse).ToList());
    }

    private static async Task<Results<Ok<ModelPriceResponse>, ValidationProblem, ProblemHttpResult>> SetPrice(
        string model, SetModelPriceRequest request, ClaimsPrincipal user, AdminDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var errors = Validation.Errors();
        if (model.Length is 0 or > 256 || model.Any(char.IsControl))
        {
            errors["model"] = ["must be 1-256 characters without control characters."];
        }

        Price(errors, "inputPerMillion", request.InputPerMillion);
        Price(errors, "outputPerMillion", request.OutputPerMillion);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var price = await db.ModelPrices.SingleOrDefaultAsync(candidate => candidate.Model == model, cancellationToken);
        if (price is null)
        {
            price = new ModelPrice { Model = model, UpdatedBy = caller.Username };
            db.ModelPrices.Add(price);
        }

        price.InputPerMillion = request.InputPerMillion!.Value;
        price.OutputPerMillion = request.OutputPerMillion!.Value;
        price.UpdatedAt = time.GetUtcNow();
        price.UpdatedBy = caller.Username;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (exception is DbUpdateConcurrencyException || DatabaseErrors.IsUniqueViolation(exception))
        {
            return Problems.Conflict($"The price of '{model}' was changed at the same time; read it again and retry.");
        }

        return TypedResults.Ok(ToResponse(price));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeletePrice(string model, AdminDbContext db, CancellationToken cancellationToken)
    {
        var price = await db.ModelPrices.SingleOrDefaultAsync(candidate => candidate.Model == model, cancellationToken);
        if (price is null)
        {
            return Problems.NotFound("Model price", model);
        }

        db.ModelPrices.Remove(price);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static void Price(Dictionary<string, string[]> errors, string field, decimal? value)
    {
        if (value is not { } price || price < 0 || price > MaxPrice)
        {
            errors[field] = [$"is required: the price of a million tokens in {Currency}, from 0 to {MaxPrice}."];
        }
    }

    private static ModelPriceResponse ToResponse(ModelPrice price) =>
        new(price.Model, price.InputPerMillion, price.OutputPerMillion, Currency, price.UpdatedAt, price.UpdatedBy);
}

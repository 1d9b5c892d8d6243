using DeployMind.Domain;

namespace DeployMind.Llm;

/// <summary>An advisor's answer and what producing it cost; <see cref="FallbackReason"/> says why the rules answered, when they did.</summary>
public sealed record Advice<T>(T Value, LlmUsage Usage, string? FallbackReason = null);

/// <summary>Turns token counts into US dollars with the configured price table.</summary>
public static class LlmPricing
{
    private const decimal TokensPerUnit = 1_000_000m;

    /// <summary>Prices <paramref name="model"/> exactly or by its longest priced prefix (<c>gpt-4o-mini-2024-07-18</c> → <c>gpt-4o-mini</c>).</summary>
    public static LlmUsage Price(IReadOnlyDictionary<string, ModelPrice> prices, string model, int tokensInput, int tokensOutput)
    {
        var price = Find(prices, model);
        return new LlmUsage
        {
            Model = model,
            TokensInput = tokensInput,
            TokensOutput = tokensOutput,
            CostUsd = price is null ? 0m : (tokensInput * price.InputPerMillionUsd / TokensPerUnit) + (tokensOutput * price.OutputPerMillionUsd / TokensPerUnit),
            Unpriced = price is null,
        };
    }

    private static ModelPrice? Find(IReadOnlyDictionary<string, ModelPrice> prices, string model)
    {
        if (prices.TryGetValue(model, out var exact))
        {
            return exact;
        }

        ModelPrice? best = null;
        var bestLength = 0;
        foreach (var (name, price) in prices)
        {
            if (name.Length > bestLength && model.Length > name.Length && model[name.Length] is '-' or ':' or '@'
                && model.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                best = price;
                bestLength = name.Length;
            }
        }

        return best;
    }
}

namespace DeployMind.Pipeline.Configuration;

/// <summary>Finds the allowed key an unknown one was probably meant to be ("stratgy" → "strategy", "healthCheck" → "health_check").</summary>
internal static class KeySuggestion
{
    public static string? Closest(string unknown, IEnumerable<string> known)
    {
        var normalized = Normalize(unknown);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Normalize(candidate) == normalized ? 0 : Distance(unknown.ToLowerInvariant(), candidate);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        // A key cut short ("api_key" for "api_key_env") is as telling as a typo.
        if (bestDistance > 0 && unknown.Length >= 4
            && known.FirstOrDefault(k => k.StartsWith(unknown, StringComparison.OrdinalIgnoreCase)) is { } longer)
        {
            return longer;
        }

        // Short keys tolerate one typo, longer ones two or three; beyond that a guess misleads more than it helps.
        var allowed = unknown.Length <= 4 ? 1 : unknown.Length <= 9 ? 2 : 3;
        return bestDistance <= allowed ? best : null;
    }

    private static string Normalize(string key) =>
        new(key.Where(c => c is not ('_' or '-' or ' ')).Select(char.ToLowerInvariant).ToArray());

    /// <summary>Optimal string alignment distance: Levenshtein plus swapping two neighbouring letters as one edit.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}

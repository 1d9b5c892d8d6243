namespace DeployMind.Pipeline.Configuration;

/// <summary>
/// One thing wrong with a <c>deploymind.yml</c>: where (file, 1-based line and column, dotted key
/// such as <c>targets[1].port</c>), what, and how to fix it. Line and column are 0 when there is no position.
/// </summary>
public sealed record ConfigProblem(string File, int Line, int Column, string Key, string Message, string Fix)
{
    /// <summary><c>deploymind.yml:12:5: targets[0].port: expected … — fix: …</c></summary>
    public override string ToString()
    {
        var where = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        var key = Key.Length > 0 ? $" {Key}:" : "";
        return $"{where}:{key} {Message} — fix: {Fix}";
    }
}

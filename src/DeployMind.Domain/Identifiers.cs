using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace DeployMind.Domain;

/// <summary>Deployment ids: <c>deploy-YYYYMMDD-</c> followed by 6 lowercase hex digits.</summary>
public static partial class DeploymentId
{
    public const string Form = "deploy-YYYYMMDD-xxxxxx (x = lowercase hex), e.g. deploy-20260204-abc123";

    public static string New(DateTime utcNow) =>
        $"deploy-{utcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    public static bool IsValid(string? value)
    {
        if (value is null || !Pattern().IsMatch(value))
        {
            return false;
        }

        return DateTime.TryParseExact(value.AsSpan(7, 8), "yyyyMMdd", CultureInfo.InvariantCulture,
            DateTimeStyles.None, out _);
    }

    public static string Validate(string? value, string field = "deployment_id") =>
        IsValid(value) ? value! : throw new InvalidInputException(field, $"{field} '{value}' is malformed; expected {Form}");

    [GeneratedRegex("^deploy-[0-9]{8}-[0-9a-f]{6}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>Repository names in the GitHub <c>owner/repo</c> form.</summary>
public static partial class RepositoryName
{
    public const string Form = "owner/repo (owner: letters, digits and single hyphens, up to 39; repo: letters, digits, '.', '_' or '-', up to 100)";

    public static string Validate(string? value, string field = "repository")
    {
        var trimmed = value?.Trim();
        if (trimmed is null || !Pattern().IsMatch(trimmed) || trimmed.EndsWith("/.", StringComparison.Ordinal)
            || trimmed.EndsWith("/..", StringComparison.Ordinal))
        {
            throw new InvalidInputException(field, $"{field} '{value}' is malformed; expected {Form}, e.g. acme/web-app");
        }

        return trimmed;
    }

    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}/[A-Za-z0-9._-]{1,100}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>Git commit ids: 7 to 40 hex digits (abbreviated or full SHA-1), or a full 64-digit SHA-256.</summary>
public static partial class CommitSha
{
    public const string Form = "7 to 40 hexadecimal digits (or 64 for SHA-256 repositories), e.g. a1b2c3d4";

    public static string Validate(string? value, string field = "commit_sha")
    {
        var trimmed = value?.Trim();
        if (trimmed is null || !Pattern().IsMatch(trimmed))
        {
            throw new InvalidInputException(field, $"{field} '{value}' is malformed; expected {Form}");
        }

        return trimmed.ToLowerInvariant();
    }

    public static string Short(string sha) => sha.Length > 8 ? sha[..8] : sha;

    [GeneratedRegex("^(?:[0-9a-fA-F]{7,40}|[0-9a-fA-F]{64})$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>Git branch names, following git check-ref-format's rules.</summary>
public static partial class BranchName
{
    public static string Validate(string? value, string field = "branch")
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > 255 || !Allowed().IsMatch(trimmed)
            || trimmed.StartsWith('-') || trimmed.StartsWith('/') || trimmed.EndsWith('/') || trimmed.EndsWith('.')
            || trimmed.EndsWith(".lock", StringComparison.Ordinal) || trimmed.Contains("..", StringComparison.Ordinal)
            || trimmed.Contains("//", StringComparison.Ordinal) || trimmed.Contains("@{", StringComparison.Ordinal))
        {
            throw new InvalidInputException(field,
                $"{field} '{value}' is not a valid git branch name; use letters, digits and . _ - / (no '..', no leading '-'), e.g. main or release/1.2");
        }

        return trimmed;
    }

    [GeneratedRegex(@"^[A-Za-z0-9._\-/+]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Allowed();
}

/// <summary>
/// Target instance ids. EC2 instances are <c>i-</c> followed by 8 to 17 lowercase hex digits
/// (as in the seed); other targets (local Docker, SSH hosts) use their configured name.
/// </summary>
public static partial class InstanceId
{
    public const string Ec2Form = "i- followed by 8 to 17 lowercase hex digits, e.g. i-0123456789abcdef0";
    public const string NameForm = "a target name of letters, digits, '.', '_' or '-' (1 to 63, starting with a letter or digit), e.g. web-1";

    public static bool IsEc2(string value) => value.StartsWith("i-", StringComparison.Ordinal);

    public static string Validate(string? value, string field = "instance_id")
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw new InvalidInputException(field, $"{field} is empty; expected {Ec2Form} for EC2, or {NameForm}");
        }

        if (IsEc2(trimmed))
        {
            return Ec2().IsMatch(trimmed)
                ? trimmed
                : throw new InvalidInputException(field, $"{field} '{value}' is not a valid EC2 instance id; expected {Ec2Form}");
        }

        return Name().IsMatch(trimmed)
            ? trimmed
            : throw new InvalidInputException(field, $"{field} '{value}' is malformed; expected {NameForm}, or {Ec2Form} for EC2");
    }

    [GeneratedRegex("^i-[0-9a-f]{8,17}$", RegexOptions.CultureInvariant)]
    private static partial Regex Ec2();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Name();
}

/// <summary>Cloud region codes (AWS style, e.g. <c>ap-south-1</c>, <c>us-gov-west-1</c>), or <c>local</c> for targets on this machine.</summary>
public static partial class RegionCode
{
    public const string Local = "local";
    public const string Form = "an AWS region code such as us-east-1, ap-south-1 or us-gov-west-1, or 'local'";

    public static string Validate(string? value, string field = "region")
    {
        var trimmed = value?.Trim();
        if (trimmed is null || !(trimmed == Local || Pattern().IsMatch(trimmed)))
        {
            throw new InvalidInputException(field, $"{field} '{value}' is malformed; expected {Form}");
        }

        return trimmed;
    }

    [GeneratedRegex("^[a-z]{2}(?:-gov|-iso[a-z]?)?-(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-[0-9]{1,2}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

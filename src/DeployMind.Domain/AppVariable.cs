using System.Text.RegularExpressions;

namespace DeployMind.Domain;

/// <summary>
/// One environment variable of an application's containers. Plain values are stored as they are;
/// secrets only as <see cref="EncryptedValue"/> (AES-256-GCM with a key kept outside the database).
/// </summary>
public sealed class AppVariable
{
    private DateTime _createdAt;
    private DateTime _updatedAt;

    public long Id { get; set; }

    /// <summary>The application (see <see cref="AppVariableNames.ValidateApplication"/>).</summary>
    public required string Application { get; set; }

    /// <summary>The environment variable name (see <see cref="AppVariableNames.ValidateName"/>).</summary>
    public required string Name { get; set; }

    /// <summary>The value of a plain variable; always null for a secret.</summary>
    public string? Value { get; set; }

    /// <summary>base64(nonce ‖ ciphertext ‖ tag) of a secret, bound to application and name; null for a plain variable.</summary>
    public string? EncryptedValue { get; set; }

    public bool IsSecret { get; set; }

    public DateTime CreatedAt { get => _createdAt; set => _createdAt = UtcTimestamp.Normalize(value); }

    public DateTime UpdatedAt { get => _updatedAt; set => _updatedAt = UtcTimestamp.Normalize(value); }
}

/// <summary>Validation of application names and environment variable names.</summary>
public static partial class AppVariableNames
{
    public const string ApplicationForm = "lowercase letters, digits and '-' (1 to 63, starting with a letter or digit), e.g. storefront";
    public const string NameForm = "letters, digits and '_' (up to 255), not starting with a digit, e.g. DATABASE_URL";
    public const int MaxNameLength = 255;

    public static bool IsValidApplication(string? value) => value is not null && ApplicationPattern().IsMatch(value);

    public static bool IsValidName(string? value) => value is { Length: > 0 and <= MaxNameLength } && NamePattern().IsMatch(value);

    public static string ValidateApplication(string? value, string field = "app") =>
        IsValidApplication(value) ? value! : throw new InvalidInputException(field, $"app name '{value}' is not valid; use {ApplicationForm}");

    public static string ValidateName(string? value, string field = "name") =>
        IsValidName(value) ? value! : throw new InvalidInputException(field, $"variable name '{value}' is not valid; use {NameForm}");

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex ApplicationPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}

namespace DeployMind.Domain;

/// <summary>
/// Timestamps are stored in UTC at microsecond precision, the finest PostgreSQL keeps,
/// so a value written on either provider reads back identical.
/// </summary>
public static class UtcTimestamp
{
    public static DateTime Normalize(DateTime value)
    {
        var utc = value.Kind switch
        {
            DateTimeKind.Utc => value,
            DateTimeKind.Local => value.ToUniversalTime(),
            _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
        };
        return new DateTime(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);
    }

    public static DateTime? Normalize(DateTime? value) => value is null ? null : Normalize(value.Value);

    public static DateTime Now(TimeProvider clock) => Normalize(clock.GetUtcNow().UtcDateTime);
}

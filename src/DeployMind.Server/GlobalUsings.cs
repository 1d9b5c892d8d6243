global using LogLevel = Microsoft.Extensions.Logging.LogLevel;

using System.Reflection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace RaftOrleans.Tests.Logging;

/// <summary>Operators filter the silo's log by event id: every log message of ours has one, and no two share it.</summary>
public class LogEventIdTests
{
    [Fact]
    public void EveryLogMessageHasItsOwnEventId()
    {
        var messages = new[] { typeof(RaftNodeGrain).Assembly }
            .SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(method => (Method: $"{method.DeclaringType!.Name}.{method.Name}", Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToArray();

        Assert.True(messages.Length >= 25, $"found only {messages.Length} log messages: the search is broken");
        Assert.Empty(messages.Where(m => m.Attribute!.EventId <= 0).Select(m => m.Method));
        var shared = messages.GroupBy(m => m.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}");
        Assert.Empty(shared);
    }
}

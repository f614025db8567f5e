namespace RaftOrleans.KeyValue;

/// <summary>What a put got from the store.</summary>
public enum PutResult
{
    /// <summary>The value is stored: every later read sees it. (No answer is 0, so a default value is none of them.)</summary>
    Stored = 1,

    /// <summary>Refused: the key already holds a value (put never overwrites; delete it first).</summary>
    KeyExists,
}

/// <summary>What a delete got from the store.</summary>
public enum DeleteResult
{
    /// <summary>The key is removed. (No answer is 0, so a default value is none of them.)</summary>
    Deleted = 1,

    /// <summary>Refused: the key held no value.</summary>
    NotFound,
}

/// <summary>What a get got from the store: the value, or that the key holds none.</summary>
public readonly record struct GetResult
{
    private GetResult(string? value) => Value = value;

    /// <summary>The key holds no value.</summary>
    public static GetResult NotFound => default;

    /// <summary>The key holds <paramref name="value"/>.</summary>
    public static GetResult Found(string value) => new(value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>The key's value; null when <see cref="IsFound"/> is false.</summary>
    public string? Value { get; }

    /// <summary>Whether the key holds a value.</summary>
    public bool IsFound => Value is not null;

    /// <summary>Found(value) or NotFound.</summary>
    public override string ToString() => IsFound ? $"Found({Value})" : "NotFound";
}

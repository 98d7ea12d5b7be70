using System.Globalization;
using System.Reflection;

namespace Lstm.MLNet.Sweeps;

/// <summary>
/// One hyper-parameter's range. Sampling is driven by the caller's <see cref="Random"/>, so a seeded sweep draws the
/// same configurations every time. <see cref="Default"/> is the value a trial uses when the sweep starts from the
/// defaults (the first trial of every sweep).
/// </summary>
public abstract class SearchDimension
{
    /// <summary>The value a trial of the default configuration takes.</summary>
    public abstract object Default { get; }
    /// <summary>A seeded draw from the dimension.</summary>
    public abstract object Sample(Random random);
    /// <summary>The range in a form a person reads, e.g. <c>{32, 64, 128}</c> or <c>log[1e-4, 1e-2]</c>.</summary>
    public abstract override string ToString();

    /// <summary>A choice among listed values (the first is the default unless another is named).</summary>
    public static SearchDimension Choice<T>(params T[] values) where T : notnull => new ChoiceDimension<T>(values, values.Length > 0 ? values[0] : default!);

    /// <summary>A choice among listed values with an explicit default.</summary>
    public static SearchDimension ChoiceWithDefault<T>(T defaultValue, params T[] values) where T : notnull => new ChoiceDimension<T>(values, defaultValue);

    /// <summary>A real number in [min, max], uniform or (for rates) uniform in log space.</summary>
    public static SearchDimension Range(double min, double max, double defaultValue, bool logScale = false) => new RangeDimension(min, max, defaultValue, logScale);

    /// <summary>A fixed value: narrows the space to one point.</summary>
    public static SearchDimension Fixed<T>(T value) where T : notnull => new ChoiceDimension<T>([value], value);

    private sealed class ChoiceDimension<T> : SearchDimension where T : notnull
    {
        private readonly T[] _values;
        private readonly T _default;

        public ChoiceDimension(T[] values, T defaultValue)
        {
            if (values.Length == 0) throw new ArgumentException("A choice needs at least one value.", nameof(values));
            if (!values.Contains(defaultValue))
                throw new ArgumentException($"The default {defaultValue} is not one of the choices {{{string.Join(", ", values)}}}.", nameof(defaultValue));
            _values = values.ToArray();
            _default = defaultValue;
        }

        public override object Default => _default;
        public override object Sample(Random random) => _values[random.Next(_values.Length)];
        public override string ToString() => "{" + string.Join(", ", _values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))) + "}";
    }

    private sealed class RangeDimension : SearchDimension
    {
        private readonly double _min, _max, _default;
        private readonly bool _log;

        public RangeDimension(double min, double max, double defaultValue, bool log)
        {
            if (!double.IsFinite(min) || !double.IsFinite(max) || min > max)
                throw new ArgumentException($"The range [{min}, {max}] is not a finite interval.");
            if (log && min <= 0) throw new ArgumentException($"A log-scale range needs a positive minimum; got {min}.");
            if (!(defaultValue >= min && defaultValue <= max))
                throw new ArgumentException($"The default {defaultValue} is outside [{min}, {max}].", nameof(defaultValue));
            (_min, _max, _default, _log) = (min, max, defaultValue, log);
        }

        public override object Default => _default;

        public override object Sample(Random random)
        {
            double u = random.NextDouble();
            return _log ? Math.Exp(Math.Log(_min) + u * (Math.Log(_max) - Math.Log(_min))) : _min + u * (_max - _min);
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{(_log ? "log" : "")}[{_min:G4}, {_max:G4}]");
    }
}

/// <summary>
/// Named dimensions, each the name of a settable property of the options object a trial trains with (for the LSTM
/// trainers: <c>LstmOptions</c>). Add, replace or remove dimensions to narrow or extend the search; a dimension
/// whose name is no property of the options fails before any trial runs.
/// </summary>
public sealed class SearchSpace
{
    private readonly List<KeyValuePair<string, SearchDimension>> _dimensions = [];

    /// <summary>The dimensions by option name, in the order they are drawn.</summary>
    public IReadOnlyList<KeyValuePair<string, SearchDimension>> Dimensions => _dimensions;

    /// <summary>Adds or replaces the dimension <paramref name="name"/>. Returns this space for chaining.</summary>
    public SearchSpace Set(string name, SearchDimension dimension)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(dimension);
        int index = _dimensions.FindIndex(d => d.Key == name);
        if (index >= 0) _dimensions[index] = new(name, dimension);
        else _dimensions.Add(new(name, dimension));
        return this;
    }

    /// <summary>Removes a dimension (the trials then keep the options' own value). Returns this space.</summary>
    public SearchSpace Remove(string name)
    {
        _dimensions.RemoveAll(d => d.Key == name);
        return this;
    }

    /// <summary>The configuration of every dimension's default.</summary>
    public IReadOnlyDictionary<string, object> Defaults() => _dimensions.ToDictionary(d => d.Key, d => d.Value.Default);

    /// <summary>One random configuration, drawn in dimension order from <paramref name="random"/>.</summary>
    public IReadOnlyDictionary<string, object> Sample(Random random) => _dimensions.ToDictionary(d => d.Key, d => d.Value.Sample(random));

    /// <summary>Checks that every dimension names a writable property of <paramref name="optionsType"/> whose type its values convert to.</summary>
    public void Validate(Type optionsType)
    {
        foreach (var (name, dimension) in _dimensions)
            ConvertFor(Property(optionsType, name), dimension.Default);
    }

    /// <summary>Writes <paramref name="configuration"/> into <paramref name="options"/> (property by name, values converted to the property's type).</summary>
    public static void Apply(IReadOnlyDictionary<string, object> configuration, object options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (name, value) in configuration)
        {
            var property = Property(options.GetType(), name);
            property.SetValue(options, ConvertFor(property, value));
        }
    }

    /// <summary>A configuration as <c>Name=value</c> pairs in a stable order, for tables and logs.</summary>
    public static string Describe(IReadOnlyDictionary<string, object> configuration) =>
        string.Join(" ", configuration.Select(kv => $"{kv.Key}={Format(kv.Value)}"));

    internal static string Format(object value) => value switch
    {
        double d => d.ToString("G3", CultureInfo.InvariantCulture),
        float f => f.ToString("G3", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static PropertyInfo Property(Type type, string name) =>
        type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance) is { CanWrite: true } property
            ? property
            : throw new ArgumentException($"The search dimension '{name}' is not a settable public property of {type.Name}.", nameof(name));

    private static object? ConvertFor(PropertyInfo property, object value)
    {
        var target = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        try
        {
            if (target.IsInstanceOfType(value)) return value;
            if (target.IsEnum) return value is string text ? Enum.Parse(target, text, ignoreCase: true) : Enum.ToObject(target, value);
            object converted = Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
            // Integers drawn from a real range round to the nearest value rather than truncating.
            if (value is double d && (target == typeof(int) || target == typeof(long))) converted = Convert.ChangeType(Math.Round(d), target, CultureInfo.InvariantCulture);
            return converted;
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or ArgumentException)
        {
            throw new ArgumentException($"The search dimension '{property.Name}' produced {Format(value)} ({value.GetType().Name}), which does not convert to {property.PropertyType.Name}.", e);
        }
    }
}

using System.Globalization;
using System.Reflection;
using Lstm.MLNet.Sweeps;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Orleans;

/// <summary>
/// What a silo needs to run any trial of a sweep, sent once per silo: the sweep's options as text and the data (as
/// ML.NET binary bytes, or the path of such a file on storage every silo reads). Rebuilt on the silo into the same
/// <see cref="LstmSweepPlan"/> the coordinator built, so a fold is measured the same on either.
/// </summary>
[GenerateSerializer, Alias("Lstm.MLNet.Orleans.SweepJob")]
internal sealed class SweepJob
{
    [Id(0)] public string BaseOptionsType { get; set; } = "";
    /// <summary>Every simple option of <see cref="LstmSweepOptions.BaseOptions"/> by property name, in invariant text (null: the option is null).</summary>
    [Id(1)] public Dictionary<string, string?> BaseOptions { get; set; } = [];
    [Id(2)] public string? Task { get; set; }
    [Id(3)] public string LabelColumnName { get; set; } = "";
    [Id(4)] public string TextColumnName { get; set; } = "";
    [Id(5)] public string? FeatureColumnName { get; set; }
    [Id(6)] public string? Metric { get; set; }
    [Id(7)] public int Folds { get; set; }
    [Id(8)] public int HalvingRate { get; set; }
    [Id(9)] public int MaxTrials { get; set; }
    [Id(10)] public int Seed { get; set; }
    [Id(11)] public byte[]? TrainData { get; set; }
    [Id(12)] public string? TrainDataPath { get; set; }
    [Id(13)] public byte[]? ValidationData { get; set; }
    [Id(14)] public string? ValidationDataPath { get; set; }

    /// <summary>The options' part of a job (the data is attached by the coordinator). Fails, naming the option, on what cannot travel.</summary>
    public static SweepJob Describe(LstmSweepOptions options)
    {
        if (options.Preprocessing is not null)
            throw new ArgumentException("LstmSweepOptions.Preprocessing is an estimator (code), which cannot be sent to the silos: a cluster sweep trains " +
                "the LSTM on the data's own columns. Featurise the data before the sweep, or run the sweep locally (ml.Lstm().Sweep) to re-fit a prefix inside every fold.",
                nameof(options));
        return new SweepJob
        {
            BaseOptionsType = options.BaseOptions switch
            {
                LstmOptions => nameof(LstmOptions),
                LstmSequenceRegressorOptions => nameof(LstmSequenceRegressorOptions),
                var other => throw new ArgumentException($"BaseOptions must be LstmOptions or LstmSequenceRegressorOptions; it is {other.GetType().Name}.", nameof(options)),
            },
            BaseOptions = OptionsText.Write(options.BaseOptions),
            Task = options.Task?.ToString(),
            LabelColumnName = options.LabelColumnName,
            TextColumnName = options.TextColumnName,
            FeatureColumnName = options.FeatureColumnName,
            Metric = options.Metric,
            Folds = options.Folds,
            HalvingRate = options.HalvingRate,
            MaxTrials = options.MaxTrials,
            Seed = options.Seed,
        };
    }

    /// <summary>The sweep options a silo plans with (no progress sink or token: the coordinator owns those).</summary>
    public LstmSweepOptions ToOptions(IDataView? validation)
    {
        LstmTrainingOptions baseOptions = BaseOptionsType switch
        {
            nameof(LstmOptions) => new LstmOptions(),
            nameof(LstmSequenceRegressorOptions) => new LstmSequenceRegressorOptions(),
            _ => throw new InvalidDataException($"Unknown BaseOptions type '{BaseOptionsType}' in a sweep job."),
        };
        OptionsText.Read(BaseOptions, baseOptions);
        return new LstmSweepOptions
        {
            Task = Task is null ? null : Enum.Parse<LstmTask>(Task),
            LabelColumnName = LabelColumnName,
            TextColumnName = TextColumnName,
            FeatureColumnName = FeatureColumnName,
            Metric = Metric,
            Folds = Folds,
            HalvingRate = HalvingRate,
            MaxTrials = MaxTrials,
            Seed = Seed,
            BaseOptions = baseOptions,
            ValidationSet = validation,
            RefitBestOnAllData = false,
        };
    }
}

/// <summary>One fold of one trial to train and measure.</summary>
[GenerateSerializer, Alias("Lstm.MLNet.Orleans.FoldRequest")]
internal sealed record FoldRequest([property: Id(0)] int TrialId, [property: Id(1)] int Fold, [property: Id(2)] int Budget,
    [property: Id(3)] ConfigurationValue[] Configuration);

/// <summary>What a fold measured, and where.</summary>
[GenerateSerializer, Alias("Lstm.MLNet.Orleans.FoldOutcome")]
internal sealed record FoldOutcome([property: Id(0)] double Metric, [property: Id(1)] string Silo);

/// <summary>
/// One searched value with its type, so the silo writes exactly the object the coordinator drew (a double drawn for an
/// integer option is rounded there as it is locally; doubles travel in round-trip text).
/// </summary>
[GenerateSerializer, Alias("Lstm.MLNet.Orleans.ConfigurationValue")]
internal readonly record struct ConfigurationValue([property: Id(0)] string Name, [property: Id(1)] char Kind, [property: Id(2)] string Text)
{
    public static ConfigurationValue[] Encode(IReadOnlyDictionary<string, object> configuration) =>
        configuration.Select(kv => kv.Value switch
        {
            int i => new ConfigurationValue(kv.Key, 'i', i.ToString(CultureInfo.InvariantCulture)),
            long l => new ConfigurationValue(kv.Key, 'l', l.ToString(CultureInfo.InvariantCulture)),
            double d => new ConfigurationValue(kv.Key, 'd', d.ToString("R", CultureInfo.InvariantCulture)),
            float f => new ConfigurationValue(kv.Key, 'f', f.ToString("R", CultureInfo.InvariantCulture)),
            bool b => new ConfigurationValue(kv.Key, 'b', b ? "true" : "false"),
            string s => new ConfigurationValue(kv.Key, 's', s),
            Enum e => new ConfigurationValue(kv.Key, 'e', e.ToString()),
            var other => throw new ArgumentException(
                $"The search dimension '{kv.Key}' produced a {other.GetType().Name}; a cluster sweep sends int, long, double, float, bool, string and enum values.", nameof(configuration)),
        }).ToArray();

    /// <summary>The configuration as the search space drew it (enums by name: <see cref="SearchSpace.Apply"/> parses them for the option's type).</summary>
    public static IReadOnlyDictionary<string, object> Decode(ConfigurationValue[] values) =>
        values.ToDictionary(v => v.Name, v => v.Kind switch
        {
            'i' => (object)int.Parse(v.Text, CultureInfo.InvariantCulture),
            'l' => long.Parse(v.Text, CultureInfo.InvariantCulture),
            'd' => double.Parse(v.Text, CultureInfo.InvariantCulture),
            'f' => float.Parse(v.Text, CultureInfo.InvariantCulture),
            'b' => v.Text == "true",
            's' or 'e' => v.Text,
            _ => throw new InvalidDataException($"Unknown value kind '{v.Kind}' for '{v.Name}' in a trial request."),
        });
}

/// <summary>
/// A trainer's options as text, property by property: every public settable option of a number, bool, enum or string
/// type (nullable too). The validation set, progress sink and cancellation token are the sweep's business and never
/// travel (the sweep clears them in every trial); any other option of another type is refused by name.
/// </summary>
internal static class OptionsText
{
    private static readonly HashSet<string> NotSent =
        [nameof(LstmTrainingOptions.ValidationSet), nameof(LstmTrainingOptions.Progress), nameof(LstmTrainingOptions.CancellationToken)];

    public static Dictionary<string, string?> Write(LstmTrainingOptions options)
    {
        var text = new Dictionary<string, string?>();
        foreach (var property in Properties(options.GetType()))
        {
            object? value = property.GetValue(options);
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (!IsSimple(type))
            {
                if (value is null) continue;
                throw new ArgumentException($"BaseOptions.{property.Name} ({property.PropertyType.Name}) cannot be sent to the silos; a cluster sweep sends " +
                    "number, bool, enum and string options. Leave it unset for a cluster sweep.", nameof(options));
            }
            text[property.Name] = value switch
            {
                null => null,
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                float f => f.ToString("R", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            };
        }
        return text;
    }

    public static void Read(Dictionary<string, string?> text, LstmTrainingOptions options)
    {
        var properties = Properties(options.GetType()).ToDictionary(p => p.Name);
        foreach (var (name, value) in text)
        {
            if (!properties.TryGetValue(name, out var property))
                throw new InvalidDataException($"The sweep job sets '{name}', which {options.GetType().Name} on this silo does not have: the silos run another version of Lstm.MLNet than the coordinator.");
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            property.SetValue(options, value is null ? null
                : type.IsEnum ? Enum.Parse(type, value)
                : Convert.ChangeType(value, type, CultureInfo.InvariantCulture));
        }
    }

    private static IEnumerable<PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.CanWrite && p.SetMethod!.IsPublic && !NotSent.Contains(p.Name));

    private static bool IsSimple(Type type) => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal);
}

/// <summary>A byte array as the stream source ML.NET's binary loader reads from.</summary>
internal sealed class BytesSource(byte[] bytes) : IMultiStreamSource
{
    public int Count => 1;
    public string? GetPathOrNull(int index) => null;
    public Stream Open(int index) => index == 0 ? new MemoryStream(bytes, writable: false) : throw new ArgumentOutOfRangeException(nameof(index));
    public TextReader OpenTextReader(int index) => new StreamReader(Open(index));

    /// <summary>ML.NET binary (<c>SaveAsBinary</c>) bytes of <paramref name="data"/>: every column, every row, in order.</summary>
    public static byte[] Save(MLContext ml, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Data.SaveAsBinary(data, stream, keepHidden: false);
        return stream.ToArray();
    }
}

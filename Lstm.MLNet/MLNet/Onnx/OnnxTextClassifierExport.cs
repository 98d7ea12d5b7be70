using Lstm.MLNet.Text;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace Lstm.MLNet;

/// <summary>
/// The text classifier as an ONNX graph, text in and scores out, through ML.NET's own export hook (the mapper's
/// <c>ISaveAsOnnx</c>, called by <c>ml.Model.ConvertToOnnx</c>):
/// <list type="bullet">
/// <item>text: lower-cased by <c>StringNormalizer</c>, split by ONNX Runtime's <c>com.microsoft.Tokenizer</c> with
/// <see cref="WordTokenizer"/>'s pattern (words and single punctuation marks), mapped to ids by <c>LabelEncoder</c> over the
/// vocabulary (unknown → 1, padding → 0) and cut to <c>MaxSequenceLength</c>; key-typed token ids map as
/// <c>KeyTokenReader</c> maps them (key k → k + 1, missing or out of range → 1);</item>
/// <item>the embedding (<c>Gather</c>), the LSTM head (<see cref="OnnxLstmHeadExport"/>) over each row's real tokens
/// (an empty text reads as one padding token, as in the library), the wide path (<see cref="OnnxNgramExport"/>), the
/// temperature (z / T);</item>
/// <item>the outputs the mapper declares: binary Score (margin), Probability (σ), PredictedLabel (Score &gt; 0); multiclass
/// Score (softmax) and PredictedLabel (key: arg max + 1).</item>
/// </list>
/// </summary>
internal static class OnnxTextClassifierExport
{
    /// <summary>
    /// .NET's <c>\w+|[\p{P}]</c> (Microsoft.ML.Tokenizers' word-or-punctuation pre-tokenizer) in RE2's syntax: .NET's \w is
    /// the Unicode classes L, Mn, Nd and Pc, while RE2's \w is ASCII only.
    /// </summary>
    internal const string TokenPattern = @"[\p{L}\p{Mn}\p{Nd}\p{Pc}]+|\p{P}";

    /// <summary>
    /// The locale ONNX's <c>StringNormalizer</c> lower-cases under. Its default (en_US.UTF-8 off Windows) fails where that
    /// locale is not installed, as in most containers; C.UTF-8 is built into glibc 2.35+ and present in Debian/Ubuntu images.
    /// </summary>
    internal const string LowerCaseLocale = "C.UTF-8";

    /// <summary>The minimum default-domain opset the graph needs (Pad, Range, BitShift with inputs/attributes as in opset 11).</summary>
    internal const int MinimumOpSet = 11;

    public static void Emit(OnnxContext context, TextClassifierModel model, LstmInputKind inputKind, string inputVariable, ulong keyCount,
        LstmTask task, LstmOptions options, int classes)
    {
        context.CheckOpSetVersion(MinimumOpSet, LstmTextClassificationTransformer.UserName);
        var graph = new OnnxGraph(context, "LstmText");
        var network = model.Network;

        string? tokens = null;
        string ids = inputKind == LstmInputKind.Text
            ? TextIds(graph, model.Tokenizer!, inputVariable, out tokens)
            : KeyIds(graph, inputVariable, keyCount);
        if (model.MaxSequenceLength > 0)
        {
            ids = graph.Slice(ids, graph.Longs([0], 1), graph.Longs([model.MaxSequenceLength], 1), 1, "ids.kept");
            if (tokens is not null) tokens = graph.Slice(tokens, graph.Longs([0], 1), graph.Longs([model.MaxSequenceLength], 1), 1, "tokens.kept");
        }
        // Two padding columns: every row then has a step for the LSTM (an empty text reads as one padding token) and
        // T ≥ 1 everywhere. Real tokens are never id 0, so the real length is the count of non-zero ids.
        ids = graph.Op("Pad", "ids.padded", ids, graph.Longs([0, 0, 0, 2], 4), graph.Long(0));
        string real = graph.Cast(graph.Op("Not", "ids.nonpad", graph.Op("Equal", "ids.pad", ids, graph.Long(0))), typeof(long), "ids.real");
        string realLengths = graph.ReduceSum(real, 1, keepDims: false, "ids.length");                           // [B]
        string lstmLengths = graph.Cast(graph.Op("Where", "ids.lstmlength", graph.Op("Less", "ids.empty", realLengths, graph.Long(1)), graph.Long(1), realLengths),
            typeof(int), "ids.lstmlength32");

        var embedding = network.EmbeddingTable;
        string embedded = graph.Node("Gather", "embedded", [graph.Floats(embedding.Weight, embedding.VocabularySize, embedding.EmbeddingSize), ids],
            n => n.AddAttribute("axis", 0L));                                                                  // [B × T × E]
        string steps = graph.Node("Transpose", "steps", [embedded], n => n.AddAttribute("perm", new long[] { 1, 0, 2 }));
        string logits = OnnxLstmHeadExport.Emit(graph, network.Head, steps, lstmLengths);
        if (network.Wide is { } wide)
        {
            string table = OnnxNgramExport.Table(graph, wide);
            logits = graph.Op("Add", "logits.wide", logits, OnnxNgramExport.Emit(graph, wide, table, ids, realLengths));
            if (model.CharNgrams is { } charNgrams && tokens is not null)
                logits = graph.Op("Add", "logits.subwords", logits, OnnxCharNgramExport.Emit(graph, wide, table, charNgrams, tokens, realLengths));
        }
        float inverseTemperature = 1f / model.Temperature;   // the library multiplies by the same float
        if (inverseTemperature != 1f) logits = graph.Op("Mul", "logits.calibrated", logits, graph.Float(inverseTemperature));

        if (task == LstmTask.BinaryClassification)
        {
            string z0 = graph.Slice(logits, graph.Longs([0], 1), graph.Longs([1], 1), 1, "z0");
            string z1 = graph.Slice(logits, graph.Longs([1], 1), graph.Longs([2], 1), 1, "z1");
            string score = Output(context, options.ScoreColumnName, NumberDataViewType.Single);
            graph.NodeInto("Sub", [z1, z0], [score]);
            graph.NodeInto("Sigmoid", [score], [Output(context, options.ProbabilityColumnName, NumberDataViewType.Single)]);
            graph.NodeInto("Greater", [score, graph.Float(0f)], [Output(context, options.PredictedLabelColumnName, BooleanDataViewType.Instance)]);
        }
        else
        {
            string score = Output(context, options.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, classes));
            graph.NodeInto("Softmax", [logits], [score], n => n.AddAttribute("axis", 1L));
            // The first most probable class, as a 1-based key.
            string best = graph.Node("ArgMax", "best", [score], n => { n.AddAttribute("axis", 1L); n.AddAttribute("keepdims", 1L); });
            graph.NodeInto("Cast", [graph.Op("Add", "best.key", best, graph.Long(1))], [Output(context, options.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), classes))],
                n => n.AddAttribute("to", typeof(uint)));
        }
    }

    /// <summary>The ONNX value a new output column maps to.</summary>
    private static string Output(OnnxContext context, string column, DataViewType type) => context.AddIntermediateVariable(type, column);

    /// <summary>[B × T] int64 ids of the text column [B × 1] (or [B]): lower-case, split (<paramref name="tokens"/>: the pieces, [B × T] strings), look up.</summary>
    private static string TextIds(OnnxGraph graph, WordTokenizer tokenizer, string text, out string tokens)
    {
        string flat = graph.Op("Reshape", "text", text, graph.Longs([-1], 1));
        string lower = graph.Node("StringNormalizer", "text.lower", [flat], n =>
        {
            n.AddAttribute("case_change_action", "LOWER");
            n.AddAttribute("is_case_sensitive", 1L);
            n.AddAttribute("locale", LowerCaseLocale);
        });
        // The padding string is the vocabulary's own padding token, which no match can produce (it holds '<', a symbol).
        tokens = graph.Node("Tokenizer", "tokens", [lower], n =>
        {
            n.AddAttribute("mark", 0L);
            n.AddAttribute("mincharnum", 1L);
            n.AddAttribute("pad_value", WordTokenizer.PaddingToken);
            n.AddAttribute("tokenexp", TokenPattern);
        }, OnnxGraph.MicrosoftDomain);
        var vocabulary = tokenizer.Vocabulary;
        return graph.Node("LabelEncoder", "ids", [tokens], n =>
        {
            n.AddAttribute("keys_strings", vocabulary);
            n.AddAttribute("values_int64s", Enumerable.Range(0, vocabulary.Count).Select(id => (long)id));
            n.AddAttribute("default_int64", (long)WordTokenizer.UnknownId);
        }, OnnxGraph.MLDomain);
    }

    /// <summary>[B × T] int64 ids of a key-typed token vector: key k in 1…count → k + 1, missing (0) or beyond count → unknown.</summary>
    private static string KeyIds(OnnxGraph graph, string keys, ulong keyCount)
    {
        // ML.NET declares a variable-length vector as [B × 1]; ONNX Runtime's shape inference and graph optimisations would
        // take that 1 as the token count, so the tokens pass through a gather whose length only the data decides (NonZero).
        string flat = graph.Cast(graph.Op("Reshape", "keys.flat", keys, graph.Longs([-1], 1)), typeof(long), "keys.flat64");
        string every = graph.Node("Squeeze", "keys.every", [graph.Op("NonZero", "keys.nonzero", graph.Op("Equal", "keys.self", flat, flat))],
            n => n.AddAttribute("axes", new long[] { 0 }));
        string rows = graph.Dimension(keys, 0, "keys.rows");
        string k = graph.Op("Reshape", "keys", graph.Node("Gather", "keys.gathered", [flat, every], n => n.AddAttribute("axis", 0L)),
            graph.Node("Concat", "keys.shape", [rows, graph.Longs([-1], 1)], n => n.AddAttribute("axis", 0L)));
        string known = graph.Op("And", "keys.known",
            graph.Op("Greater", "keys.present", k, graph.Long(0)),
            graph.Op("Not", "keys.inrange", graph.Op("Greater", "keys.beyond", k, graph.Long((long)keyCount))));
        return graph.Op("Where", "ids", known, graph.Op("Add", "keys.shifted", k, graph.Long(1)), graph.Long(WordTokenizer.UnknownId));
    }
}

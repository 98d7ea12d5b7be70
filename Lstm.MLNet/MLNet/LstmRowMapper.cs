using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Lstm.MLNet;

/// <summary>
/// The row mapper every row-to-row LSTM model shares, as ML.NET's own scorers are written: it finds the model's input
/// column in the schema it maps (naming the column and the ones there when it is missing), makes every output depend on
/// that one column only, and saves the model it maps. Each task's mapper adds its output columns and getters.
/// </summary>
internal abstract class LstmRowMapper : RowToRowTransformerBase.MapperBase
{
    private readonly ICanSaveModel _model;

    private protected LstmRowMapper(LstmTransformer model, IHost host, DataViewSchema inputSchema)
        : base(host.Register("Mapper"), inputSchema, model)
    {
        _model = model;
        Input = inputSchema.GetColumnOrNull(model.InputColumnName)
            ?? throw LstmColumns.MissingColumn("input", model.InputColumnName, inputSchema.Select(c => c.Name));
    }

    /// <summary>The model's input column in the mapped schema.</summary>
    protected DataViewSchema.Column Input { get; }

    protected override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
    {
        bool anyActive = Enumerable.Range(0, OutputColumns.Value.Length).Any(activeOutput);
        int inputIndex = Input.Index;
        return column => anyActive && column == inputIndex;
    }

    protected override void SaveModel(ModelSaveContext ctx) => _model.Save(ctx);
}

using Lstm.MLNet.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

namespace Lstm.MLNet;

// Batch scoring: Transform's cursors read the input ahead and score it in batches, not one row at a time.
public sealed partial class LstmTextClassificationTransformer : ITransformer
{
    /// <summary>Rows a cursor reads ahead and scores at once (one packed ragged batch: sequences of any lengths, no work on padding).</summary>
    internal const int ReadAheadRows = 256;

    /// <summary>
    /// Adds the score columns to <paramref name="input"/>. A cursor over the result scores its rows in batches of up to
    /// 256 read ahead from the input (a second cursor over the model's input column), with the same results, bit for bit,
    /// as <c>PredictionEngine</c> and row order, row ids and the other columns untouched. A shuffled cursor or one of a
    /// parallel cursor set (whose rows are not the input's rows in order) scores row by row.
    /// </summary>
    public new IDataView Transform(IDataView input)
    {
        Host.CheckValue(input, nameof(input));
        return new SequentialView(new RowToRowMapperTransform(Host, input, new Mapper(this, input.Schema, input), MakeRowMapper));
    }

    /// <summary>
    /// The scored data with one cursor where ML.NET's row-to-row transform would split the input over threads and merge
    /// the parts again (its cursors then see every other block of rows, which no cursor of theirs can read ahead of):
    /// one sequential cursor, which scores its rows in batches, is faster than several scoring row by row.
    /// It is still the row-to-row transform for ML.NET's pipe walkers: ONNX export (<c>ml.Model.ConvertToOnnx</c>)
    /// and saving go to the transform it wraps.
    /// </summary>
    private sealed class SequentialView(RowToRowMapperTransform scored) : ITransformCanSaveOnnx
    {
        public bool CanShuffle => ((IDataView)scored).CanShuffle;
        public DataViewSchema Schema => ((IDataView)scored).Schema;
        public long? GetRowCount() => ((IDataView)scored).GetRowCount();
        public IDataView Source => scored.Source;

        // A set of one is one cursor over the input as it comes (shuffled with rand, where the input can shuffle).
        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
            ((IDataView)scored).GetRowCursorSet(columnsNeeded, 1, rand)[0];

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            [GetRowCursor(columnsNeeded, rand)];

        public bool CanSaveOnnx(OnnxContext ctx) => ((ICanSaveOnnx)scored).CanSaveOnnx(ctx);
        public void SaveAsOnnx(OnnxContext ctx) => ((ISaveAsOnnx)scored).SaveAsOnnx(ctx);
        void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)scored).Save(ctx);
    }

    IDataView ITransformer.Transform(IDataView input) => Transform(input);

    private long _rowsScoredInBatches;

    /// <summary>Rows this model's Transform cursors have served from read-ahead batches (diagnostics: shows the batched path ran).</summary>
    internal long RowsScoredInBatches => Interlocked.Read(ref _rowsScoredInBatches);

    /// <summary>
    /// One cursor's read-ahead: a cursor of its own over the source's input column, reading <see cref="ReadAheadRows"/> rows
    /// at a time and scoring them in one batch. It serves a row of the scored cursor only while the rows line up (same
    /// position, same row id); the first row that does not (a shuffled cursor, one of a cursor set) turns it off for good,
    /// and the caller scores row by row.
    /// </summary>
    private sealed class ReadAhead : IDisposable
    {
        private readonly LstmTextClassificationTransformer _parent;
        private readonly TextClassifierModel.Predictor _workspace;
        private readonly DataViewRowCursor _cursor;
        private readonly Mapper.TokenSource _readTokens;
        private readonly ValueGetter<DataViewRowId> _id, _rowId;
        private readonly int[][] _tokens = new int[ReadAheadRows][];
        private readonly int[][] _subwords = new int[ReadAheadRows][];
        private readonly DataViewRowId[] _ids = new DataViewRowId[ReadAheadRows];
        private long _start;   // position of the batch's first row
        private int _count;    // rows in the batch
        private bool _off;

        public ReadAhead(LstmTextClassificationTransformer parent, IDataView source, DataViewSchema.Column column, Func<DataViewRow, Mapper.TokenSource> tokenReader,
            TextClassifierModel.Predictor workspace, DataViewRow row)
        {
            _parent = parent;
            _workspace = workspace;
            _cursor = source.GetRowCursor([source.Schema[column.Index]]);
            _readTokens = tokenReader(_cursor);
            _id = _cursor.GetIdGetter();
            _rowId = row.GetIdGetter();
        }

        /// <summary>Puts <paramref name="row"/>'s scores in the workspace and returns true, or returns false (the caller scores the row itself).</summary>
        public bool TryScore(DataViewRow row)
        {
            if (_off) return false;
            long position = row.Position;
            while (position >= _start + _count)
                if (!ReadBatch()) return TurnOff();
            if (position < _start) return TurnOff();
            int index = (int)(position - _start);
            DataViewRowId id = default;
            _rowId(ref id);
            if (!id.Equals(_ids[index])) return TurnOff();
            _workspace.Select(index);
            Interlocked.Increment(ref _parent._rowsScoredInBatches);
            return true;
        }

        private bool ReadBatch()
        {
            _start += _count;
            _count = 0;
            while (_count < ReadAheadRows && _cursor.MoveNext())
            {
                _tokens[_count] = _readTokens(out var subwords).ToArray();
                _subwords[_count] = subwords.ToArray();
                _id(ref _ids[_count]);
                _count++;
            }
            if (_count == 0) return false;
            _workspace.PredictBatch(_tokens.AsSpan(0, _count), _parent._model.CharNgrams is null ? default : _subwords.AsSpan(0, _count));
            Array.Clear(_tokens, 0, _count);
            Array.Clear(_subwords, 0, _count);
            return true;
        }

        private bool TurnOff()
        {
            _off = true;
            _cursor.Dispose();
            return false;
        }

        public void Dispose() => _cursor.Dispose();
    }
}

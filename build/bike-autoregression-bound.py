#!/usr/bin/env python3
"""How far the bike-sharing target (aligned next-day MAE <= 0.85 x persistence, issue 9) is for a univariate model.

Linear autoregressions by least squares (pure Python, no packages) on the issue's protocol: after each 2012 day t,
forecast day t + 1. Each is fit twice: on 2011 (what a forecaster trained on 2011 could do) and on the 2012 pairs
themselves (in-sample: fit on the answers, a bound no honest model of that family beats). Prints the MAE ratio to
persistence. Run: python3 build/bike-autoregression-bound.py
"""
import csv
import os
rows=list(csv.DictReader(open(os.path.join(os.path.dirname(__file__), '..', 'Lstm.MLNet.Samples', 'Data', 'timeseries', 'bike-sharing-day.csv'))))
y=[float(r['cnt']) for r in rows]; wd=[int(r['weekday']) for r in rows]
def solve(A,b):
    n=len(A); M=[A[i][:]+[b[i]] for i in range(n)]
    for c in range(n):
        p=max(range(c,n),key=lambda r:abs(M[r][c])); M[c],M[p]=M[p],M[c]
        if abs(M[c][c])<1e-12: continue
        for r in range(n):
            if r!=c:
                f=M[r][c]/M[c][c]
                for k in range(c,n+1): M[r][k]-=f*M[c][k]
    return [M[i][n]/M[i][i] if abs(M[i][i])>1e-12 else 0 for i in range(n)]
def ols(X,t,lam=1e-6):
    k=len(X[0]); A=[[sum(x[i]*x[j] for x in X)+(lam if i==j else 0) for j in range(k)] for i in range(k)]
    b=[sum(x[i]*tt for x,tt in zip(X,t)) for i in range(k)]; return solve(A,b)
def feats(t,p,diff,dow):
    # features known after day t, predicting day t+1
    if diff: f=[y[t-i]-y[t-i-1] for i in range(p)]
    else: f=[y[t-i] for i in range(p)]
    f=[1.0]+f
    if dow: f+= [1.0 if wd[(t+1)%len(wd)]==d else 0.0 for d in range(1,7)]
    return f
def target(t,diff): return y[t+1]-y[t] if diff else y[t+1]
def pred(w,t,p,diff,dow):
    v=sum(a*b for a,b in zip(w,feats(t,p,diff,dow))); return y[t]+v if diff else v
test=range(365,729)
pers=sum(abs(y[t+1]-y[t]) for t in test)/len(test)
print('persistence MAE %.1f (%d days)'%(pers,len(test)))
for diff in (False,True):
  for dow in (False,True):
    for p in (1,2,3,7,14):
        # honest: fit on 2011 pairs
        tr=range(p+1,364)
        w=ols([feats(t,p,diff,dow) for t in tr],[target(t,diff) for t in tr])
        hon=sum(abs(pred(w,t,p,diff,dow)-y[t+1]) for t in test)/len(test)
        # cheating: fit on the test pairs themselves
        w2=ols([feats(t,p,diff,dow) for t in test],[target(t,diff) for t in test])
        ins=sum(abs(pred(w2,t,p,diff,dow)-y[t+1]) for t in test)/len(test)
        print('diff=%d dow=%d p=%2d  fit on 2011: %.3f   fit on 2012 itself (in-sample): %.3f'%(diff,dow,p,hon/pers,ins/pers))

#!/usr/bin/env python3
"""Hindsight bound for a time-of-week schedule (issue #26).

Fits a publisher's profile (US Eastern; weekdays pooled, weekend pooled;
15-minute slots, lightly smoothed) on one part of a timeline, places the
polls of a 96-a-day budget at a rate proportional to the profile's density
raised to `a` (with a floor of one poll an hour, for max <= 60 min), and
scores detection delays on another part (or the same one: hindsight).
Prints median / p90 / max seconds and polls per day. It shows what no
scheduler that only knows *when in the week* a publisher publishes can
beat on this timeline.

    bench/schedbound.py [TIMELINE.json]
"""
import sys
import bisect
import collections
import datetime
import json
import os
import statistics
import zoneinfo

TIMELINE = (sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared',
    'samples', 'timelines', 'state-2021.json'))
ET=zoneinfo.ZoneInfo('America/New_York')
d=json.load(open(TIMELINE))
ts=sorted(datetime.datetime.fromisoformat(x['published'].replace('Z','+00:00')).timestamp() for x in d)
cut=datetime.datetime(2021,11,1,tzinfo=datetime.timezone.utc).timestamp()
h1=[t for t in ts if t<cut]; h2=[t for t in ts if t>=cut]
def slot(t):
    dt=datetime.datetime.fromtimestamp(t,ET)
    wk=1 if dt.weekday()>=5 else 0
    return wk*96+dt.hour*4+dt.minute//15
def profile(items, smooth=1):
    c=collections.Counter(slot(t) for t in items)
    p=[c.get(i,0) for i in range(192)]
    # per-day normalisation: weekday slots count over 5 days, weekend over 2
    p=[x/5 if i<96 else x/2 for i,x in enumerate(p)]
    if smooth:
        q=[]
        for i in range(192):
            base=(i//96)*96; j=i-base
            q.append(sum(p[base+(j+k)%96]*w for k,w in ((-1,.25),(0,.5),(1,.25))))
        p=q
    return p
def evaluate(prof, items, a, budget=96, floor_h=1.0):
    t0=items[0]-3600; t1=items[-1]+3600
    w=[(x+0.01)**a for x in prof]
    # average per week: 5 weekday days + 2 weekend days, 96 slots each
    def total(k): return sum(max(1/(4*floor_h),k*w[i])*(5 if i<96 else 2) for i in range(192))
    lo,hi=0,1e6
    for _ in range(100):
        k=(lo+hi)/2
        if total(k)>budget*7: hi=k
        else: lo=k
    r=[max(1/(4*floor_h),lo*w[i]) for i in range(192)]
    return replay(r, items)
def replay(r, items):
    """Polls at r[slot] polls per 15-minute slot, spread evenly; the
    detection delay of each item and the polls spent per day."""
    t0=items[0]-3600; t1=items[-1]+3600
    polls=[];t=t0-t0%900;acc=0.0
    while t<t1:
        n=r[slot(t)];acc+=n;k=int(acc);acc-=k
        for j in range(k): polls.append(t+900*(j+0.5)/k)
        t+=900
    dl=sorted(polls[bisect.bisect_left(polls,p)]-p for p in items)
    return round(statistics.median(dl)),dl[int(.9*len(dl))],round(max(dl)),round(len(polls)/((t1-t0)/86400),1)
def quantile_bound(prof, budget=96, floor_h=1.0, t1=240, t2=600):
    """The best any time-of-week schedule can do for the issue's two
    quantile targets together, in hindsight.  With polls every I seconds in
    a slot and items arriving independently of the polls' phase, an item of
    that slot is found within 240 s with probability min(1, 240/I) and
    within 600 s with probability min(1, 600/I).  So the share of items
    found within 240 s is a sum, over slots, of concave piecewise-linear
    functions of each slot's poll rate (kinks at 1/600 and 1/240 s), and so
    is the share within 600 s; the budget is linear in the rates.  Maximising
    the first share subject to the second >= 0.9 and the budget is a linear
    programme; its Lagrangian puts each slot at one of the kinks (an
    interval of 240 s, 600 s or the floor), so a search over the two
    multipliers finds the optimum (up to the one or two slots an exact LP
    would split between kinks).  Returns (share within 240 s, share within
    600 s, polls per week, rates per slot) of the best schedule found."""
    tot=sum(x*(5 if i<96 else 2) for i,x in enumerate(prof))
    pr=[x*(5 if i<96 else 2)/tot for i,x in enumerate(prof)]  # item share
    days=[5 if i<96 else 2 for i in range(192)]
    cand=(t1,t2,3600*floor_h)
    def share(iv, thr): return min(1.0, thr/iv)
    def schedule(l2, mu):
        cost=0.0;a=0.0;b=0.0;r=[]
        for i in range(192):
            iv=max(cand,key=lambda iv:pr[i]*share(iv,t1)+l2*pr[i]*share(iv,t2)-mu*days[i]*900/iv)
            cost+=days[i]*900/iv;a+=pr[i]*share(iv,t1);b+=pr[i]*share(iv,t2);r.append(900/iv)
        return cost,a,b,r
    best=None
    for l2 in [x/4 for x in range(0,81)]:
        lo,hi=1e-9,1.0        # the cheapest price of a poll that keeps the budget
        for _ in range(40):
            mu=(lo*hi)**0.5
            if schedule(l2,mu)[0]>budget*7: lo=mu
            else: hi=mu
        cost,a,b,r=schedule(l2,hi)
        if b>=0.9 and (best is None or a>best[0]):
            best=(a,b,cost,r)
    return best
print("quantile bound (hindsight, pooled profile): the most items found within T1 while >= 0.9 are found within T2")
for interval,budget,t1,t2 in (("15m",96,240,600),("7m30s",192,120,300)):
    for smooth in (0,1):
        a,b,cost,r=quantile_bound(profile(ts,smooth),budget,t1=t1,t2=t2)
        print(" %s (T1=%d s, T2=%d s) smooth=%d: within T1 %.3f, within T2 %.3f, %.1f polls/day; replayed: median/p90/max/ppd %s"
              % (interval,t1,t2,smooth,a,b,cost/7,replay(r,ts)))
print("split a: median_s p90_s max_s polls_per_day")
for name,tr,te in (("h1->h2",h1,h2),("h2->h1",h2,h1),("all->all",ts,ts)):
    for a in (0.3,0.5,0.7,1.0):
        print(name,a,evaluate(profile(tr),te,a))

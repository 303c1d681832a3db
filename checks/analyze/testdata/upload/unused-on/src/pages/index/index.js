Page({})
const z=require("../../data/z.json")
